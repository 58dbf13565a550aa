// What every operation needs from the client (the typed openapi-fetch
// client, the configuration, the transport) and the one call helper they all
// use: start the call, send it through the transport, read the answer's body
// within the deadline the transport returned, and turn a non-2xx answer into
// the matching error.
import type { paths } from "@nhs-app-api/types";
import type { Tracer } from "@opentelemetry/api";
import type { Client } from "openapi-fetch";
import type { ResolvedConfig } from "./config.js";
import {
  ClientValidationError,
  NhsAppError,
  type RequestDescription,
  UnexpectedResponseError,
} from "./errors/errors.js";
import { errorFromResponse } from "./errors/from-response.js";
import type { CallContext } from "./http/call-context.js";
import { CORRELATION_HEADER, newCorrelationId } from "./http/correlation.js";
import type { Logger } from "./http/logger.js";
import { bodyReadFailure } from "./http/read-body.js";
import { type ResolvedRetryPolicy, type RetryPolicy, resolveRetryPolicy } from "./http/retry-policy.js";
import { recordError, startCallSpan } from "./http/tracing.js";
import type { Sent, Transport } from "./http/transport.js";
import { redactUrl } from "./redaction.js";
import { callOptionsIssues } from "./validation/call-options.js";

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
  tracer: Tracer;
}

function startCall(core: ClientCore, operation: string, options: CallOptions): CallContext {
  const correlationId = options.correlationId ?? newCorrelationId();
  return {
    operation,
    correlationId,
    timeoutMs: options.timeoutMs ?? core.config.timeoutMs,
    retry: options.retry ? resolveRetryPolicy(core.retry, options.retry) : core.retry,
    signal: options.signal,
    span: startCallSpan(core.tracer, operation, correlationId),
  };
}

/**
 * Runs one logical call, from validation to the value returned, inside its
 * span: the span fails with whatever `run` throws, and ends either way.
 */
export async function traced<T>(
  core: ClientCore,
  operation: string,
  options: CallOptions | undefined,
  run: (context: CallContext) => Promise<T>,
): Promise<T> {
  // Before the span: a call whose options are wrong never starts.
  const problems = callOptionsIssues(options);
  if (problems.length > 0) throw new ClientValidationError("The options argument", problems);
  const context = startCall(core, operation, options ?? {});
  try {
    return await run(context);
  } catch (error) {
    recordError(context.span, error);
    throw error;
  } finally {
    context.span.end();
  }
}

/** Whether validation runs for this call. */
export const validates = (core: ClientCore, options: CallOptions | undefined) =>
  options?.validate ?? core.config.validate;

/** What openapi-fetch gives back when asked to read the body as text. */
interface FetchResult {
  response: Response;
  data?: unknown;
  error?: unknown;
}

/** A 2xx answer, its body read. */
export interface Answer {
  response: Response;
  /** Parsed JSON when the body is JSON, else its text. */
  body: unknown;
  status: number;
  correlationId: string;
  context: CallContext;
  /** What was asked for, redacted: for errors about this answer. */
  request: RequestDescription;
}

/**
 * Runs one wrapped operation. `send` makes the openapi-fetch call with the
 * fetch it is given, reading the body as text: the transport's deadline keeps
 * running until then, so a stalled body times out, and a failure while
 * reading it becomes the client's own TimeoutError or ConnectionError.
 */
export async function callOperation(
  core: ClientCore,
  context: CallContext,
  send: (fetch: (request: Request) => Promise<Response>) => Promise<FetchResult>,
): Promise<Answer> {
  const last: { sent?: Sent } = {};
  let result: FetchResult;
  try {
    result = await send(async (request) => {
      last.sent = await core.transport.send(request, context);
      return last.sent.response;
    });
  } catch (error) {
    if (error instanceof NhsAppError || !last.sent) throw error;
    throw bodyReadFailure(error, context, last.sent.deadline, last.sent.request);
  } finally {
    last.sent?.deadline.clear();
  }
  const { response } = result;
  const request = last.sent?.request ?? { method: "GET", url: redactUrl(response.url), operation: context.operation };
  const body = response.ok ? parseText(typeof result.data === "string" ? result.data : "") : (result.error ?? "");
  if (!response.ok) throw failure(request, response, body, context);
  return {
    response,
    body,
    status: response.status,
    correlationId: correlationIdOf(response, context),
    context,
    request,
  };
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

/** The typed error for a non-2xx response. */
function failure(request: RequestDescription, response: Response, body: unknown, context: CallContext) {
  return errorFromResponse({
    status: response.status,
    headers: response.headers,
    body,
    correlationId: correlationIdOf(response, context),
    request,
  });
}

/** A 2xx answer that cannot be used as it is. */
export function unexpected(answer: Answer, what: string) {
  const { response, context } = answer;
  return new UnexpectedResponseError(`${context.operation} answered ${response.status} but ${what}`, {
    status: response.status,
    correlationId: answer.correlationId,
    request: answer.request,
  });
}
