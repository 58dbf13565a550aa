// One attempt: the access token, the request, and the answer's headers, all
// within the attempt's deadline. What comes back is the answer (its body
// unread) or why none came, with the error to raise if nothing better
// follows; whether to try again is the transport's decision.
import type { Span } from "@opentelemetry/api";
import type { TokenProvider } from "../auth/token-provider.js";
import { ConnectionError, type NhsAppError, type RequestDescription, TimeoutError } from "../errors/errors.js";
import { accessTokenWithin } from "./access-token.js";
import { type CallContext, errorDetails } from "./call-context.js";
import { CORRELATION_HEADER } from "./correlation.js";
import type { Deadline } from "./deadline.js";
import { callHook, type Hooks, type RequestInfo } from "./hooks.js";
import type { Logger } from "./logger.js";
import { connectionErrorCode, type FailureReason, neverReachedServer } from "./retry-policy.js";
import { withSpan } from "./tracing.js";
import type { WireRequest } from "./wire-request.js";

export type Attempt =
  /** `token` is the access token the attempt was sent with, if it took one. */
  | { response: Response; token: string | undefined; failure?: undefined; thrown?: undefined }
  | { response?: undefined; token?: undefined; failure: FailureReason; thrown: NhsAppError };

export interface AttemptTools {
  tokens: TokenProvider;
  fetch: () => typeof globalThis.fetch;
  logger: Logger;
  hooks: Hooks;
  userAgent: string;
}

export async function sendOnce(
  tools: AttemptTools,
  request: Request | WireRequest,
  body: string | ArrayBuffer | null,
  info: RequestInfo,
  context: CallContext,
  description: RequestDescription,
  deadline: Deadline,
  span: Span,
): Promise<Attempt> {
  const { logger, hooks } = tools;
  const authentication = context.authentication ?? { type: "access-token" };
  // Only the API's own calls take an access token: none is fetched for the platform's endpoints.
  const token =
    authentication.type === "access-token"
      ? await accessTokenWithin(tools.tokens, deadline, context, description, span)
      : undefined;
  // The request is this call's own (openapi-fetch made it for us), so its headers may be set in place.
  if (token === undefined) request.headers.delete("authorization");
  else request.headers.set("authorization", `Bearer ${token}`);
  if (authentication.type === "api-key") request.headers.set(authentication.header, authentication.value);
  request.headers.set(CORRELATION_HEADER, context.correlationId);
  request.headers.set("user-agent", tools.userAgent);
  const started = performance.now();
  if (hooks.onRequest) callHook(logger, () => hooks.onRequest?.(info));
  logger.debug?.({ ...info }, "request");

  let response: Response;
  try {
    // URL and init rather than a new Request: fetch builds one Request from them, not two.
    // With the attempt's span active, instrumentation of fetch itself (undici's) nests under it.
    response = await withSpan(span, () =>
      tools.fetch()(request.url, { method: info.method, headers: request.headers, body, signal: deadline.signal }),
    );
  } catch (cause) {
    if (context.signal?.aborted) throw context.signal.reason;
    const details = { ...errorDetails(context, description), cause };
    const code = connectionErrorCode(cause);
    if (deadline.timedOut) {
      return {
        failure: { type: "timeout" },
        thrown: new TimeoutError(
          `No answer within ${context.timeoutMs} ms from ${context.operation}; the request may have been processed`,
          details,
        ),
      };
    }
    const neverSent = neverReachedServer(code);
    return {
      failure: { type: "connection", neverReachedServer: neverSent },
      thrown: new ConnectionError(
        neverSent
          ? `Could not connect (${code ?? "network error"}) for ${context.operation}; nothing was sent`
          : `The connection failed (${code ?? "network error"}) during ${context.operation} after the request was sent; the request may have been processed`,
        { ...details, neverReachedServer: neverSent },
      ),
    };
  }
  const durationMs = Math.round(performance.now() - started);
  if (hooks.onResponse) callHook(logger, () => hooks.onResponse?.({ ...info, status: response.status, durationMs }));
  logger.debug?.({ ...info, status: response.status, durationMs }, "response");
  return { response, token };
}
