// Reading an answer's body within the call's deadline, and what it means when
// that fails: the request had been sent, so it may have been processed,
// whether the time ran out or the connection dropped.
import { ConnectionError, type RequestDescription, TimeoutError } from "../errors/errors.js";
import { type CallContext, errorDetails } from "./call-context.js";
import type { Deadline } from "./deadline.js";

/** Statuses whose answer has no body by definition: nothing to read, and a Response cannot be built with one. */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * Why reading an answer's body failed, as the client's own error: the call's
 * timeout, or a connection lost after the request was sent. The caller's own
 * abort is its reason.
 */
export function bodyReadFailure(
  cause: unknown,
  context: CallContext,
  deadline: Deadline,
  request: RequestDescription,
): unknown {
  if (context.signal?.aborted) return context.signal.reason;
  const details = { ...errorDetails(context, request), cause };
  if (deadline.timedOut) {
    return new TimeoutError(
      `No complete answer within ${context.timeoutMs} ms from ${context.operation}; the request may have been processed`,
      details,
    );
  }
  return new ConnectionError(
    `The connection failed while the answer from ${context.operation} was read; the request may have been processed`,
    { ...details, neverReachedServer: false },
  );
}

/** The answer with its whole body read, within the deadline; the deadline is cleared either way. */
export async function readWithin(
  response: Response,
  deadline: Deadline,
  context: CallContext,
  request: RequestDescription,
): Promise<Response> {
  try {
    if (NULL_BODY_STATUSES.has(response.status)) return response;
    const read = new Response(await response.arrayBuffer(), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
    // Keep what the caller could read on the original: where the answer came from.
    Object.defineProperty(read, "url", { value: response.url });
    return read;
  } catch (cause) {
    throw bodyReadFailure(cause, context, deadline, request);
  } finally {
    deadline.clear();
  }
}
