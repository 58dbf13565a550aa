// Receiving callbacks: one framework-neutral core that routes both callback
// paths, parses, calls the supplier's code and chooses the answer the NHS App
// expects (202 accepted, 400 with an OperationOutcome for a bad body, 500 when
// the supplier's own code fails, so the NHS App can try again), and thin
// handlers for the Fetch API and Node's http module. Nothing a caller sends
// can make it throw.
import type { IncomingMessage, ServerResponse } from "node:http";
import { operations, requestMediaTypes } from "@nhs-app-api/contract";
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

/** The structured fields first, then the message, as pino takes them. */
export type CallbackLogMethod = (fields: Record<string, unknown>, message: string) => void;

export interface CallbackLogger {
  warn?: CallbackLogMethod;
  error?: CallbackLogMethod;
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
  /**
   * Told about refused bodies and failing callbacks; never given the body.
   * Shaped like pino's and the client's: `logger.warn(fields, message)`, so
   * a pino logger can be passed as it is.
   */
  logger?: CallbackLogger;
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

/** The media types each callback spec lists for its body, to name in a 415. */
const SPEC_MEDIA_TYPES = {
  receipt: requestMediaTypes("create-realtime-receipt").join(" or "),
  reply: requestMediaTypes("create-realtime-replies").join(" or "),
};

/** JSON in any of its media types (`application/json`, `application/fhir+json`, with parameters or not). */
const isJsonMediaType = (contentType: string) =>
  contentType === "application/json" ||
  contentType === "application/fhir+json" ||
  /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i.test(contentType.trim());

class CallbackTimeout extends Error {}

/** The longest delay a Node timer can hold; a longer timeout means none. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const isTimeout = (ms: unknown): ms is number => typeof ms === "number" && ms > 0;
const badTimeout = () =>
  new RangeError("callbackTimeoutMs must be a positive number of milliseconds (or Infinity for no limit)");

/**
 * The handler's options as given from JavaScript, checked when the handler
 * is made: a callback that is not a function would otherwise fail only on
 * the first receipt, in front of the NHS App. Wrong types are a TypeError
 * naming each one; leaving the options out means the defaults.
 */
function checkedOptions(given: unknown): CallbackHandlerOptions {
  if (given === undefined) return {};
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    throw new TypeError(
      "@nhs-app-api/callbacks: the handler's options must be an object ({ onReceipt, onReply, ... })",
    );
  }
  const { onReceipt, onReply, maxBodyBytes, logger } = given as Record<string, unknown>;
  const problems: string[] = [];
  if (onReceipt !== undefined && typeof onReceipt !== "function") problems.push("onReceipt must be a function");
  if (onReply !== undefined && typeof onReply !== "function") problems.push("onReply must be a function");
  if (maxBodyBytes !== undefined && !(typeof maxBodyBytes === "number" && maxBodyBytes > 0)) {
    problems.push("maxBodyBytes must be a positive number of bytes");
  }
  if (logger !== undefined && (typeof logger !== "object" || logger === null)) {
    problems.push("logger must be an object with warn/error methods (pino's shape)");
  }
  if (problems.length > 0) throw new TypeError(`@nhs-app-api/callbacks: ${problems.join("; ")}`);
  return given as CallbackHandlerOptions;
}

/** The callback timeout to use: a positive number of milliseconds, or Infinity for none. */
function callbackTimeout(options: CallbackHandlerOptions): number {
  const ms = options.callbackTimeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS;
  if (!isTimeout(ms)) throw badTimeout();
  return ms;
}

/** What a handler works out once, when it is made, rather than on every request. */
interface Settings {
  parse: { maxBodyBytes: number };
  /** Checked when the handler is made; handleCallback checks it when it is about to be used. */
  timeoutMs: unknown;
}

const settingsOf = (options: CallbackHandlerOptions, timeoutMs: unknown): Settings => ({
  parse: { maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES },
  timeoutMs,
});

/**
 * The supplier's pending work, settled or given up on after `ms`. Any
 * thenable is awaited (a Bluebird promise, a lazy query builder), not only
 * native promises.
 */
function withinTime(pending: PromiseLike<unknown>, ms: number): Promise<unknown> {
  if (ms > MAX_TIMER_MS) return Promise.resolve(pending);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new CallbackTimeout()), ms);
    Promise.resolve(pending).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** The answer when the supplier's code failed or took too long: 500 tells the NHS App to deliver it again. The error stays here. */
function failed(route: "receipt" | "reply", error: unknown, options: CallbackHandlerOptions): CallbackResponse {
  if (error instanceof CallbackTimeout) {
    options.logger?.error?.({ route }, `the ${route} callback did not finish in time`);
    return outcome(500, [issue("timeout", `The ${route} was not processed in time; please send it again`)]);
  }
  options.logger?.error?.(
    { route, error: error instanceof Error ? error.name : "unknown" },
    `the ${route} callback failed`,
  );
  return outcome(500, [issue("exception", `The ${route} could not be processed; please send it again`)]);
}

/** The request's path without its query and trailing slashes, without a regular expression on every request. */
function pathOf(url: string): string {
  const query = url.indexOf("?");
  let end = query === -1 ? url.length : query;
  while (end > 0 && url.charCodeAt(end - 1) === 47 /* "/" */) end--;
  return end === url.length ? url : url.slice(0, end);
}

type CallbackRequest = { method: string; path: string; body: RawBody; contentType?: string | undefined };

/**
 * The whole exchange for one request whose body has been read. Synchronous
 * when the supplier's callback is (most are quick to hand work off), so the
 * answer then costs no promise; a promise otherwise. Never throws or rejects.
 */
function respond(
  request: CallbackRequest,
  options: CallbackHandlerOptions,
  settings: Settings,
): CallbackResponse | Promise<CallbackResponse> {
  const path = pathOf(request.path);
  const route =
    path.endsWith(RECEIPT_PATH) && options.onReceipt
      ? "receipt"
      : path.endsWith(REPLY_PATH) && options.onReply
        ? "reply"
        : undefined;
  if (!route) return outcome(404, [issue("not-found", `No callback is served at ${path.slice(0, 200) || "/"}`)]);
  if (request.method !== "POST" && request.method.toUpperCase() !== "POST") {
    return outcome(405, [issue("not-supported", "Callbacks are delivered with POST")], { allow: "POST" });
  }
  if (request.contentType && !isJsonMediaType(request.contentType)) {
    return outcome(415, [issue("not-supported", `Callbacks are JSON: send Content-Type ${SPEC_MEDIA_TYPES[route]}`)]);
  }
  const parsed =
    route === "receipt" ? parseReceipt(request.body, settings.parse) : parseReply(request.body, settings.parse);
  if (!parsed.ok) {
    options.logger?.warn?.(
      { route, issues: parsed.issues.map((i) => i.diagnostics).join("; ") },
      `refused a ${route} callback`,
    );
    return outcome(400, parsed.issues);
  }
  const ms = settings.timeoutMs;
  let pending: PromiseLike<unknown>;
  try {
    if (!isTimeout(ms)) throw badTimeout(); // only handleCallback gets here with a bad one: a 500, as before
    const result: unknown =
      "receipt" in parsed
        ? options.onReceipt?.(parsed.receipt, { raw: parsed.raw, path })
        : options.onReply?.(parsed.reply, { raw: parsed.raw, path });
    if (typeof (result as PromiseLike<unknown> | undefined)?.then !== "function") return accepted;
    pending = result as PromiseLike<unknown>;
  } catch (error) {
    return failed(route, error, options);
  }
  return withinTime(pending, ms).then(
    () => accepted,
    (error: unknown) => failed(route, error, options),
  );
}

/**
 * The whole exchange for one request, whatever the framework. Never throws.
 * `contentType` is the request's Content-Type header, where there is one.
 */
export async function handleCallback(
  request: CallbackRequest,
  options: CallbackHandlerOptions,
): Promise<CallbackResponse> {
  return respond(request, options, settingsOf(options, options.callbackTimeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS));
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

const tooLarge = (limit: number) =>
  outcome(400, [issue("too-long", `The body is larger than the ${limit} bytes accepted`)]);

/** A handler for the Fetch API: `(request: Request) => Promise<Response>`. */
export function createFetchHandler(given: CallbackHandlerOptions) {
  const options = checkedOptions(given);
  const settings = settingsOf(options, callbackTimeout(options)); // a bad option fails here, not on the first callback
  const limit = settings.parse.maxBodyBytes;
  return async (request: Request): Promise<Response> => {
    let answer: CallbackResponse;
    try {
      const read = request.body
        ? await readLimited(request.body as unknown as AsyncIterable<Uint8Array>, limit)
        : { body: Buffer.alloc(0), tooLarge: false };
      answer = read.tooLarge
        ? tooLarge(limit)
        : await respond(
            {
              method: request.method,
              path: new URL(request.url).pathname,
              body: read.body,
              contentType: request.headers.get("content-type") ?? undefined,
            },
            options,
            settings,
          );
    } catch {
      answer = outcome(400, [issue("structure", "The body could not be read")]);
    }
    return new Response(answer.status === 202 ? null : answer.body, { status: answer.status, headers: answer.headers });
  };
}

/** Writes the answer, once; `close` asks the client to hang up after it. */
function send(response: ServerResponse, answer: CallbackResponse, close = false): void {
  if (response.headersSent) return;
  if (answer === accepted && !close) {
    // The answer to almost every callback: Node adds Content-Length: 0 itself, with no headers to check.
    response.statusCode = 202;
    response.end();
    return;
  }
  response.writeHead(answer.status, {
    ...answer.headers,
    "content-length": Buffer.byteLength(answer.body),
    ...(close ? { connection: "close" } : {}),
  });
  response.end(answer.body);
}

const unreadableBody = () => outcome(400, [issue("structure", "The body could not be read")]);

/**
 * Sends what respond() gives, now or when it settles. respond() only throws
 * if the supplier's logger does; that must not take the server down either.
 */
function answerWith(response: ServerResponse, work: () => CallbackResponse | Promise<CallbackResponse>): void {
  let answer: CallbackResponse | Promise<CallbackResponse>;
  try {
    answer = work();
  } catch {
    send(response, unreadableBody(), true);
    return;
  }
  if (answer instanceof Promise) {
    answer.then(
      (settled) => send(response, settled),
      () => send(response, unreadableBody(), true),
    );
  } else send(response, answer);
}

/**
 * A handler for Node's http and https servers, and for Express. It reads the
 * raw body itself; where a body parser ran first (express.json(),
 * express.raw(), express.text()) it takes the body that parser left on
 * `request.body` instead of finding the stream already drained.
 */
export function createNodeHandler(given: CallbackHandlerOptions) {
  const options = checkedOptions(given);
  const settings = settingsOf(options, callbackTimeout(options)); // a bad option fails here, not on the first callback
  const limit = settings.parse.maxBodyBytes;
  return (request: IncomingMessage & { body?: unknown }, response: ServerResponse): void => {
    const answer = (body: RawBody) =>
      respond(
        {
          method: request.method ?? "GET",
          path: request.url ?? "/",
          body,
          contentType: request.headers["content-type"],
        },
        options,
        settings,
      );
    if (request.readableEnded || request.destroyed) {
      // Something read the stream first. Take what a body parser left, if anything; never wait for an end already gone.
      const parsedBefore = request.body;
      if (parsedBefore === undefined || parsedBefore === null) {
        send(
          response,
          outcome(400, [
            issue("structure", "The body was read before this handler ran (mount it before body parsers)"),
          ]),
        );
        return;
      }
      answerWith(response, () => answer(parsedBefore as RawBody));
      return;
    }
    // Read with events rather than a promise or async iteration: this is the hot path. One chunk
    // (the usual receipt) is taken as it is, without copying it into a new Buffer.
    let first: Buffer | undefined;
    let rest: Buffer[] | undefined;
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        // Answer without reading the rest, and close: the sender has too much to say.
        request.off("data", onData);
        request.off("end", onEnd);
        request.pause();
        send(response, tooLarge(limit), true);
        request.destroy();
        return;
      }
      if (first === undefined) first = chunk;
      else if (rest === undefined) rest = [first, chunk];
      else rest.push(chunk);
    };
    const onEnd = () =>
      answerWith(response, () => answer(rest ? Buffer.concat(rest, size) : (first ?? Buffer.alloc(0))));
    request.on("data", onData);
    request.on("end", onEnd);
    request.on("error", () => send(response, unreadableBody(), true));
  };
}

/** Both handlers over the same options. */
export function createCallbackHandler(options: CallbackHandlerOptions) {
  return { fetch: createFetchHandler(options), node: createNodeHandler(options) };
}
