// Receiving callbacks: one framework-neutral core that routes both callback
// paths, parses, calls the supplier's code and chooses the answer the NHS App
// expects (202 accepted, 400 with an OperationOutcome for a bad body, 500 when
// the supplier's own code fails, so the NHS App can try again), and thin
// handlers for the Fetch API and Node's http module. Nothing a caller sends
// can make it throw.
import type { IncomingMessage, ServerResponse } from "node:http";
import { operations } from "@nhs-app-api/contract";
import type { RealtimeReceipt } from "@nhs-app-api/types/realtime-receipts";
import type { RealtimeReply } from "@nhs-app-api/types/realtime-replies";
import { type CallbackIssue, issue, toOperationOutcome } from "./issues.js";
import { DEFAULT_MAX_BODY_BYTES, type RawBody } from "./read-body.js";
import { parseReceipt, type Receipt } from "./receipts.js";
import { parseReply, type Reply } from "./replies.js";

/** Where the NHS App posts receipts and replies, below the supplier's base URL (from the callback specs). */
export const RECEIPT_PATH = operations["create-realtime-receipt"].path;
export const REPLY_PATH = operations["create-realtime-replies"].path;

export interface CallbackContext<Raw> {
  /** The body as received, validated. */
  raw: Raw;
  /** The request's path (a supplier may mount the endpoint under a prefix). */
  path: string;
}

export interface CallbackHandlerOptions {
  /** Called for each valid receipt; answer 202 once it resolves. */
  onReceipt?: (receipt: Receipt, context: CallbackContext<RealtimeReceipt>) => void | PromiseLike<void>;
  /** Called for each valid reply; answer 202 once it resolves. */
  onReply?: (reply: Reply, context: CallbackContext<RealtimeReply>) => void | PromiseLike<void>;
  /** Bodies larger than this are refused with 400 (default 64 KiB). */
  maxBodyBytes?: number;
  /**
   * How long onReceipt/onReply may take before the NHS App is answered 500,
   * so that it delivers the callback again (default 30 s). Your code keeps
   * running; make it idempotent, since the same receipt may then come twice.
   */
  callbackTimeoutMs?: number;
  /** Told about refused bodies and failing callbacks; never given the body. */
  logger?: {
    warn?(message: string, fields?: Record<string, unknown>): void;
    error?(message: string, fields?: Record<string, unknown>): void;
  };
}

export interface CallbackResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const FHIR_JSON = { "content-type": "application/fhir+json" };

const outcome = (status: number, issues: CallbackIssue[], extra: Record<string, string> = {}): CallbackResponse => ({
  status,
  headers: { ...FHIR_JSON, ...extra },
  body: JSON.stringify(toOperationOutcome(issues)),
});

const accepted: CallbackResponse = { status: 202, headers: {}, body: "" };

export const DEFAULT_CALLBACK_TIMEOUT_MS = 30_000;

/** JSON in any of its media types (`application/json`, `application/fhir+json`, with parameters or not). */
const isJsonMediaType = (contentType: string) => /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i.test(contentType.trim());

class CallbackTimeout extends Error {}

/** The longest delay a Node timer can hold; a longer timeout means none. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The callback timeout to use: a positive number of milliseconds, or Infinity for none. */
function callbackTimeout(options: CallbackHandlerOptions): number {
  const ms = options.callbackTimeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS;
  if (typeof ms !== "number" || Number.isNaN(ms) || ms <= 0) {
    throw new RangeError("callbackTimeoutMs must be a positive number of milliseconds (or Infinity for no limit)");
  }
  return ms;
}

/**
 * The supplier's callback, settled or given up on after `ms`. Any thenable is
 * awaited (a Bluebird promise, a lazy query builder), not only native
 * promises; a callback that returns at once costs no timer.
 */
async function withinTime(work: () => unknown, ms: number): Promise<void> {
  const pending = work();
  if (typeof (pending as PromiseLike<unknown> | undefined)?.then !== "function") return;
  if (ms > MAX_TIMER_MS) {
    await pending;
    return;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CallbackTimeout()), ms);
  });
  try {
    await Promise.race([Promise.resolve(pending), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The whole exchange for one request, whatever the framework. Never throws.
 * `contentType` is the request's Content-Type header, where there is one.
 */
export async function handleCallback(
  request: { method: string; path: string; body: RawBody; contentType?: string | undefined },
  options: CallbackHandlerOptions,
): Promise<CallbackResponse> {
  const path = request.path.split("?")[0]?.replace(/\/+$/, "") ?? "";
  const route =
    path.endsWith(RECEIPT_PATH) && options.onReceipt
      ? "receipt"
      : path.endsWith(REPLY_PATH) && options.onReply
        ? "reply"
        : undefined;
  if (!route) return outcome(404, [issue("not-found", `No callback is served at ${path.slice(0, 200) || "/"}`)]);
  if (request.method.toUpperCase() !== "POST") {
    return outcome(405, [issue("not-supported", "Callbacks are delivered with POST")], { allow: "POST" });
  }
  if (request.contentType && !isJsonMediaType(request.contentType)) {
    return outcome(415, [issue("not-supported", "Callbacks are JSON: send Content-Type application/json")]);
  }
  const parseOptions = { maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES };
  const parsed =
    route === "receipt" ? parseReceipt(request.body, parseOptions) : parseReply(request.body, parseOptions);
  if (!parsed.ok) {
    options.logger?.warn?.(`refused a ${route} callback`, {
      issues: parsed.issues.map((i) => i.diagnostics).join("; "),
    });
    return outcome(400, parsed.issues);
  }
  try {
    await withinTime(
      () =>
        "receipt" in parsed
          ? options.onReceipt?.(parsed.receipt, { raw: parsed.raw, path })
          : options.onReply?.(parsed.reply, { raw: parsed.raw, path }),
      callbackTimeout(options),
    );
    return accepted;
  } catch (error) {
    // The supplier's code failed or took too long: 500 tells the NHS App to deliver it again. The error stays here.
    if (error instanceof CallbackTimeout) {
      options.logger?.error?.(`the ${route} callback did not finish in time`, {});
      return outcome(500, [issue("timeout", `The ${route} was not processed in time; please send it again`)]);
    }
    options.logger?.error?.(`the ${route} callback failed`, { error: error instanceof Error ? error.name : "unknown" });
    return outcome(500, [issue("exception", `The ${route} could not be processed; please send it again`)]);
  }
}

type Read = { body: Buffer; tooLarge: boolean };

/** Reads a Fetch body stream up to `limit` bytes; `tooLarge` once it goes over (the rest is not kept). */
async function readLimited(chunks: AsyncIterable<Uint8Array>, limit: number): Promise<Read> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > limit) return { body: Buffer.alloc(0), tooLarge: true };
    parts.push(chunk);
  }
  return { body: Buffer.concat(parts), tooLarge: false };
}

/** The same for a Node request, with events (quicker than async iteration on this hot path). */
function readNodeLimited(request: IncomingMessage, limit: number): Promise<Read> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        request.off("data", onData);
        request.pause();
        resolve({ body: Buffer.alloc(0), tooLarge: true });
        return;
      }
      parts.push(chunk);
    };
    request.on("data", onData);
    request.once("end", () =>
      resolve({ body: parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts), tooLarge: false }),
    );
    request.once("error", reject);
  });
}

const tooLarge = (limit: number) =>
  outcome(400, [issue("too-long", `The body is larger than the ${limit} bytes accepted`)]);

/** A handler for the Fetch API: `(request: Request) => Promise<Response>`. */
export function createFetchHandler(options: CallbackHandlerOptions) {
  callbackTimeout(options); // a bad option fails here, at start-up, not on the first callback
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return async (request: Request): Promise<Response> => {
    let answer: CallbackResponse;
    try {
      const read = request.body
        ? await readLimited(request.body as unknown as AsyncIterable<Uint8Array>, limit)
        : { body: Buffer.alloc(0), tooLarge: false };
      answer = read.tooLarge
        ? tooLarge(limit)
        : await handleCallback(
            {
              method: request.method,
              path: new URL(request.url).pathname,
              body: read.body,
              contentType: request.headers.get("content-type") ?? undefined,
            },
            options,
          );
    } catch {
      answer = outcome(400, [issue("structure", "The body could not be read")]);
    }
    return new Response(answer.status === 202 ? null : answer.body, { status: answer.status, headers: answer.headers });
  };
}

/**
 * A handler for Node's http and https servers, and for Express. It reads the
 * raw body itself; where a body parser ran first (express.json(),
 * express.raw(), express.text()) it takes the body that parser left on
 * `request.body` instead of finding the stream already drained.
 */
export function createNodeHandler(options: CallbackHandlerOptions) {
  callbackTimeout(options); // a bad option fails here, at start-up, not on the first callback
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return (request: IncomingMessage & { body?: unknown }, response: ServerResponse): void => {
    const send = (answer: CallbackResponse, close = false) => {
      if (response.headersSent) return;
      response.writeHead(answer.status, {
        ...answer.headers,
        "content-length": Buffer.byteLength(answer.body),
        ...(close ? { connection: "close" } : {}),
      });
      response.end(answer.body);
    };
    const answer = (body: RawBody) =>
      handleCallback(
        {
          method: request.method ?? "GET",
          path: request.url ?? "/",
          body,
          contentType: request.headers["content-type"],
        },
        options,
      );
    const unreadable = () => send(outcome(400, [issue("structure", "The body could not be read")]), true);
    if (request.readableEnded || request.destroyed) {
      // Something read the stream first. Take what a body parser left, if anything; never wait for an end already gone.
      const parsedBefore = request.body;
      if (parsedBefore === undefined || parsedBefore === null) {
        send(
          outcome(400, [
            issue("structure", "The body was read before this handler ran (mount it before body parsers)"),
          ]),
        );
        return;
      }
      answer(parsedBefore as RawBody).then(send, unreadable);
      return;
    }
    request.on("error", unreadable);
    readNodeLimited(request, limit)
      .then(async (read) => {
        if (read.tooLarge) {
          // Answer without reading the rest, and close: the sender has too much to say.
          send(tooLarge(limit), true);
          request.destroy();
          return;
        }
        send(await answer(read.body));
      })
      .catch(unreadable);
  };
}

/** Both handlers over the same options. */
export function createCallbackHandler(options: CallbackHandlerOptions) {
  return { fetch: createFetchHandler(options), node: createNodeHandler(options) };
}
