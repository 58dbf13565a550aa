// What every operation needs from the client: the typed openapi-fetch client,
// the resolved configuration, the transport, and a way to start a call (its
// correlation ID, timeout, retry policy and signal).
import type { paths } from "@nhs-app-api/types";
import type { Client } from "openapi-fetch";
import type { ResolvedConfig } from "./config.js";
import { NhsAppError, UnexpectedResponseError } from "./errors/errors.js";
import { errorFromResponse } from "./errors/from-response.js";
import { CORRELATION_HEADER, newCorrelationId } from "./http/correlation.js";
import type { Logger } from "./http/logger.js";
import { type ResolvedRetryPolicy, type RetryPolicy, resolveRetryPolicy } from "./http/retry-policy.js";
import { bodyReadFailure, type CallContext, type Transport } from "./http/transport.js";
import { redactUrl } from "./redaction.js";

/** Options every operation takes. */
export interface CallOptions {
  /** Your own X-Correlation-ID; a UUID is generated when absent. */
  correlationId?: string;
  /** Aborts the call, retries and waits included. */
  signal?: AbortSignal;
  /** Per attempt; overrides the client's. */
  timeoutMs?: number;
  /** Overrides the client's retry policy for this call. */
  retry?: RetryPolicy;
  /** false skips client-side validation for this call (tests use it to reach server errors). */
  validate?: boolean;
}

export interface ClientCore {
  config: ResolvedConfig;
  raw: Client<paths>;
  transport: Transport;
  retry: ResolvedRetryPolicy;
  logger: Logger;
}

export function startCall(core: ClientCore, operation: string, options: CallOptions = {}): CallContext {
  return {
    operation,
    correlationId: options.correlationId ?? newCorrelationId(),
    timeoutMs: options.timeoutMs ?? core.config.timeoutMs,
    retry: options.retry ? resolveRetryPolicy(core.retry, options.retry) : core.retry,
    signal: options.signal,
  };
}

/** The per-call fetch handed to openapi-fetch: everything goes through the transport. */
export const fetchFor = (core: ClientCore, context: CallContext) => (request: Request) =>
  core.transport.send(request, context);

/**
 * Runs one openapi-fetch call of a wrapped operation, which reads the answer's
 * body itself: the call's deadline keeps running until the body is read, so a
 * stalled body times out, and a failure while reading becomes the client's
 * own TimeoutError or ConnectionError.
 */
export async function exchange<T>(context: CallContext, call: () => Promise<T>): Promise<T> {
  context.readsBody = true;
  try {
    return await call();
  } catch (error) {
    const deadline = context.deadline;
    if (error instanceof NhsAppError || !deadline) throw error;
    // The transport set context.request along with the deadline: the error names the request.
    throw bodyReadFailure(error, context, deadline);
  } finally {
    context.deadline?.clear();
    context.deadline = undefined;
  }
}

/** The correlation ID the server mirrored, or the one sent. */
export const correlationIdOf = (response: Response, context: CallContext) =>
  response.headers.get(CORRELATION_HEADER) ?? context.correlationId;

/** Parses a body read as text: JSON when it is JSON, else the text itself. */
export function parseText(text: string): unknown {
  if (text.trim() === "") return "";
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * The body of an openapi-fetch result read with `parseAs: "text"`: a 2xx body
 * arrives as text (parsed here, leniently), an error body already parsed as
 * JSON when it was JSON, else as text.
 */
export const bodyOf = (response: Response, data: unknown, error: unknown): unknown =>
  response.ok ? parseText(typeof data === "string" ? data : "") : (error ?? "");

/** What the error says was requested: method, redacted URL, operation. */
const describeRequest = (method: string, response: Response, context: CallContext) => ({
  method,
  url: redactUrl(response.url),
  operation: context.operation,
});

/** The typed error for a non-2xx response. */
export function failure(method: string, response: Response, body: unknown, context: CallContext) {
  return errorFromResponse({
    status: response.status,
    headers: response.headers,
    body,
    correlationId: correlationIdOf(response, context),
    request: describeRequest(method, response, context),
  });
}

/** A 2xx answer that cannot be used as it is. */
export function unexpected(method: string, response: Response, context: CallContext, what: string) {
  return new UnexpectedResponseError(`${context.operation} answered ${response.status} but ${what}`, {
    status: response.status,
    correlationId: correlationIdOf(response, context),
    request: describeRequest(method, response, context),
  });
}
