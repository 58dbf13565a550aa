// Sends one logical call: waits for the rate limiter, makes attempts (each
// with its own deadline), renews an expired access token once, and retries
// what is safe to retry, never a message that may have been processed. The
// answer comes back with its deadline still running, for the caller to read
// the body within it (or read here, for the raw client).
import type { Attributes, Tracer } from "@opentelemetry/api";
import type { TokenProvider } from "../auth/token-provider.js";
import type { RequestDescription } from "../errors/errors.js";
import { EXPIRED_TOKEN_FAULT, gatewayFaultOf, issuesFromBody } from "../errors/operation-outcome.js";
import { redactUrl } from "../redaction.js";
import { backoffDelay, parseRetryAfter, sleep } from "./backoff.js";
import type { CallContext } from "./call-context.js";
import { Deadline } from "./deadline.js";
import { callHook, type Hooks, type RequestInfo } from "./hooks.js";
import type { Logger } from "./logger.js";
import type { TokenBucket } from "./rate-limiter.js";
import { readWithin } from "./read-body.js";
import { type FailureReason, isRetryable } from "./retry-policy.js";
import { type Attempt, sendOnce } from "./send-once.js";
import { ATTR, httpAttributes, recordError, recordStatus, startChildSpan } from "./tracing.js";
import { WireRequest } from "./wire-request.js";

export interface TransportOptions {
  tokens: TokenProvider;
  fetch: () => typeof globalThis.fetch;
  limiter: TokenBucket | undefined;
  logger: Logger;
  hooks: Hooks;
  tracer: Tracer;
  /** The whole User-Agent header. */
  userAgent: string;
}

/** An answer whose headers have arrived; its body is read within `deadline`, which the reader clears. */
export interface Sent {
  response: Response;
  deadline: Deadline;
  request: RequestDescription;
}

const describeFailure = (failure: FailureReason) =>
  failure.type === "status"
    ? `status ${failure.status}`
    : failure.type === "timeout"
      ? "timeout"
      : failure.neverReachedServer
        ? "connection refused"
        : "connection lost";

export class Transport {
  constructor(private readonly options: TransportOptions) {}

  /** Sends the request; the answer comes back unread, its deadline running. */
  async send(request: Request | WireRequest, context: CallContext): Promise<Sent> {
    const { tokens, limiter, logger, hooks, tracer } = this.options;
    const method = request.method.toUpperCase();
    const description: RequestDescription = { method, url: redactUrl(request.url), operation: context.operation };
    // The body once, as text or bytes: each attempt sends it anew, since a sent stream cannot be sent again.
    const body = await bodyOf(request, method);
    const startedAt = performance.now();
    let renewedExpiredToken = false;
    // Requests sent so far, renewals included: each attempt's http.request.resend_count.
    let sent = 0;
    let http: Attributes | undefined;
    const httpOf = () => {
      http ??= httpAttributes(method, request.url);
      return http;
    };
    if (context.span.isRecording()) context.span.setAttributes(httpOf());

    for (let attempt = 1; ; attempt++) {
      const info: RequestInfo = {
        operation: context.operation,
        method,
        url: description.url,
        correlationId: context.correlationId,
        attempt,
      };
      // A caller who has aborted sends nothing more, not even a first attempt.
      context.signal?.throwIfAborted();
      // Waiting for the rate limiter is not part of the timeout: in bulk sending it is the expected wait.
      // The platform's own endpoints are not counted by its limits, so a health check never queues behind a batch.
      if ((context.authentication?.type ?? "access-token") === "access-token") await limiter?.acquire(context.signal);
      const deadline = new Deadline(context.timeoutMs, context.signal);
      // One span per attempt, ended once its answer's headers (or its failure) are in.
      const span = startChildSpan(tracer, context.span, method, httpOf, sent++);
      let outcome: Attempt;
      try {
        outcome = await sendOnce(this.options, request, body, info, context, description, deadline, span);
      } catch (error) {
        deadline.clear();
        recordError(span, error);
        span.end();
        throw error;
      }
      if (outcome.response) {
        recordStatus(span, outcome.response.status);
        // The call's own status is the last answer's; whether the call failed is decided by what it throws.
        context.span.setAttribute(ATTR.status, outcome.response.status);
      } else {
        recordError(span, outcome.thrown);
      }
      span.end();

      const { response, token } = outcome;
      if (response?.status === 401 && token !== undefined && (await isExpiredTokenResponse(response))) {
        // The gateway answers before the backend, so sending again is safe for any method; once only.
        // Either way the token is dropped: the next call must not spend another 401 on it.
        tokens.invalidate(token);
        if (!renewedExpiredToken) {
          renewedExpiredToken = true;
          deadline.clear();
          discard(response);
          logger.info?.({ ...info }, "access token expired; renewing it and sending the request again");
          context.span.addEvent("nhs_app.access_token_renewal");
          attempt--;
          continue;
        }
      }
      if (response && (response.ok || (response.status < 500 && response.status !== 429))) {
        return { response, deadline, request: description };
      }
      const failure: FailureReason = response ? { type: "status", status: response.status } : outcome.failure;
      const elapsed = performance.now() - startedAt;
      const retryAfter = response ? parseRetryAfter(response.headers.get("retry-after")) : undefined;
      const delayMs = retryAfter ?? backoffDelay(attempt, context.retry);
      const canRetry =
        attempt < context.retry.maxAttempts &&
        isRetryable(method, failure, context.retry) &&
        elapsed + delayMs <= context.retry.totalBudgetMs;
      if (!canRetry) {
        if (response) return { response, deadline, request: description };
        deadline.clear();
        throw outcome.thrown;
      }
      deadline.clear();
      if (response) discard(response);
      const reason = describeFailure(failure);
      callHook(logger, () => hooks.onRetry?.({ ...info, delayMs, reason }));
      logger.info?.({ ...info, delayMs, reason }, "retrying");
      context.span.addEvent("nhs_app.retry", {
        [ATTR.resendCount]: sent,
        [ATTR.retryDelayMs]: delayMs,
        [ATTR.retryReason]: reason,
      });
      await sleep(delayMs, context.signal);
    }
  }

  /** Sends the request and reads the whole answer within its deadline, for callers that read it later. */
  async sendAndRead(request: Request | WireRequest, context: CallContext): Promise<Response> {
    const { response, deadline, request: description } = await this.send(request, context);
    return readWithin(response, deadline, context, description);
  }
}

/** What each attempt sends: the operations' JSON text as it is, a raw call's body read once into bytes. */
async function bodyOf(request: Request | WireRequest, method: string): Promise<string | ArrayBuffer | null> {
  if (request instanceof WireRequest) return request.body ?? null;
  return method === "GET" || method === "HEAD" ? null : await request.arrayBuffer();
}

/** The gateway's way of saying the token expired: an OperationOutcome issue `expired`, or its raw fault. */
async function isExpiredTokenResponse(response: Response): Promise<boolean> {
  try {
    const body = JSON.parse(await response.clone().text()) as unknown;
    return (
      issuesFromBody(body).some((issue) => issue.code === "expired") ||
      gatewayFaultOf(body)?.code === EXPIRED_TOKEN_FAULT
    );
  } catch {
    return false;
  }
}

/** Frees a response that will not be read (without waiting: some streams settle only when read). */
function discard(response: Response) {
  response.body?.cancel().catch(() => undefined);
}
