// Receiving callbacks: one framework-neutral core that routes both callback
// paths, parses, calls the supplier's code and chooses the answer the NHS App
// expects (202 accepted, 400 with an OperationOutcome for a bad body, 500 when
// the supplier's own code fails, so the NHS App can try again), and thin
// handlers for the Fetch API and Node's http module. Nothing a caller sends
// can make it throw.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RealtimeReceipt } from "@nhs-app-api/types/realtime-receipts";
import type { RealtimeReply } from "@nhs-app-api/types/realtime-replies";
import { type CallbackIssue, issue, toOperationOutcome } from "./issues.js";
import { DEFAULT_MAX_BODY_BYTES, type RawBody } from "./read-body.js";
import { parseReceipt, type Receipt } from "./receipts.js";
import { parseReply, type Reply } from "./replies.js";

export const RECEIPT_PATH = "/FHIR/R4/Task";
export const REPLY_PATH = "/FHIR/R4/CommunicationRequest";

export interface CallbackContext<Raw> {
  /** The body as received, validated. */
  raw: Raw;
  /** The request's path (a supplier may mount the endpoint under a prefix). */
  path: string;
}

export interface CallbackHandlerOptions {
  /** Called for each valid receipt; answer 202 once it resolves. */
  onReceipt?: (receipt: Receipt, context: CallbackContext<RealtimeReceipt>) => void | Promise<void>;
  /** Called for each valid reply; answer 202 once it resolves. */
  onReply?: (reply: Reply, context: CallbackContext<RealtimeReply>) => void | Promise<void>;
  /** Bodies larger than this are refused with 400 (default 64 KiB). */
  maxBodyBytes?: number;
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

/** The whole exchange for one request, whatever the framework. Never throws. */
export async function handleCallback(
  request: { method: string; path: string; body: RawBody },
  options: CallbackHandlerOptions,
): Promise<CallbackResponse> {
  const path = request.path.split("?")[0]?.replace(/\/+$/, "") ?? "";
  const route =
    path.endsWith(RECEIPT_PATH) && options.onReceipt
      ? "receipt"
      : path.endsWith(REPLY_PATH) && options.onReply
        ? "reply"
        : undefined;
  if (!route) return outcome(404, [issue("invalid", `No callback is served at ${path || "/"}`)]);
  if (request.method.toUpperCase() !== "POST") {
    return outcome(405, [issue("invalid", "Callbacks are delivered with POST")], { allow: "POST" });
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
    if (route === "receipt") {
      await options.onReceipt?.(parsed.value as Receipt, { raw: parsed.raw as RealtimeReceipt, path });
    } else {
      await options.onReply?.(parsed.value as Reply, { raw: parsed.raw as RealtimeReply, path });
    }
    return accepted;
  } catch (error) {
    // The supplier's code failed: 500 tells the NHS App to deliver it again. The error stays here.
    options.logger?.error?.(`the ${route} callback failed`, { error: error instanceof Error ? error.name : "unknown" });
    return outcome(500, [issue("invalid", `The ${route} could not be processed; please send it again`)]);
  }
}

/** Reads a stream up to `limit` bytes; `tooLarge` once it goes over (the rest is not kept). */
async function readLimited(
  chunks: AsyncIterable<Uint8Array>,
  limit: number,
): Promise<{ body: Buffer; tooLarge: boolean }> {
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
export function createFetchHandler(options: CallbackHandlerOptions) {
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
            { method: request.method, path: new URL(request.url).pathname, body: read.body },
            options,
          );
    } catch {
      answer = outcome(400, [issue("structure", "The body could not be read")]);
    }
    return new Response(answer.status === 202 ? null : answer.body, { status: answer.status, headers: answer.headers });
  };
}

/** A handler for Node's http and https servers, and for Express (mount it before any body parser). */
export function createNodeHandler(options: CallbackHandlerOptions) {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return (request: IncomingMessage, response: ServerResponse): void => {
    const send = (answer: CallbackResponse, close = false) => {
      if (response.headersSent) return;
      response.writeHead(answer.status, {
        ...answer.headers,
        "content-length": Buffer.byteLength(answer.body),
        ...(close ? { connection: "close" } : {}),
      });
      response.end(answer.body);
    };
    request.on("error", () => send(outcome(400, [issue("structure", "The body could not be read")]), true));
    readLimited(request, limit)
      .then(async (read) => {
        if (read.tooLarge) {
          // Answer without reading the rest, and close: the sender has too much to say.
          send(tooLarge(limit), true);
          request.destroy();
          return;
        }
        send(
          await handleCallback({ method: request.method ?? "GET", path: request.url ?? "/", body: read.body }, options),
        );
      })
      .catch(() => send(outcome(400, [issue("structure", "The body could not be read")]), true));
  };
}

/** Both handlers over the same options. */
export function createCallbackHandler(options: CallbackHandlerOptions) {
  return { fetch: createFetchHandler(options), node: createNodeHandler(options) };
}
