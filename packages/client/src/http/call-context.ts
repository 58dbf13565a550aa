// What one logical call carries through its attempts. It is fixed when the
// call starts and never changed: what an attempt learns (its deadline, its
// answer) is returned, not written back here.
import type { Span } from "@opentelemetry/api";
import type { RequestDescription } from "../errors/errors.js";
import type { ResolvedRetryPolicy } from "./retry-policy.js";

/**
 * What an attempt authenticates with: the access token (every call of the
 * API), an API key in a header (the platform's `_status`), or nothing (its
 * `_ping`).
 */
export type Authentication =
  | { readonly type: "access-token" }
  | { readonly type: "api-key"; readonly header: string; readonly value: string }
  | { readonly type: "none" };

export interface CallContext {
  /** The operationId, or `raw` for the raw client. */
  readonly operation: string;
  readonly correlationId: string;
  /** Per attempt: the access token, the answer and its whole body. */
  readonly timeoutMs: number;
  readonly retry: ResolvedRetryPolicy;
  readonly signal?: AbortSignal | undefined;
  /** The call's span (a no-op one unless an OpenTelemetry SDK records it). */
  readonly span: Span;
  /** The access token when absent. */
  readonly authentication?: Authentication;
}

/** The details every error of a call carries: what was asked for and the call's correlation ID. */
export const errorDetails = (context: CallContext, request: RequestDescription) => ({
  request,
  correlationId: context.correlationId,
});
