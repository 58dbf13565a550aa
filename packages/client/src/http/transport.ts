// Sends one logical call: adds the access token and the correlation ID, waits
// for the rate limiter, applies the timeout and the caller's AbortSignal,
// renews an expired token once, retries what is safe to retry, and reports
// each step to the hooks and the logger (never with secrets in them).
import type { TokenProvider } from "../auth/token-provider.js";
import { ConnectionError, type RequestDescription, TimeoutError } from "../errors/errors.js";
import { issuesFromBody } from "../errors/operation-outcome.js";
import { redactUrl } from "../redaction.js";
import { backoffDelay, parseRetryAfter, sleep } from "./backoff.js";
import { CORRELATION_HEADER } from "./correlation.js";
import type { Logger } from "./logger.js";
import type { TokenBucket } from "./rate-limiter.js";
import {
  connectionErrorCode,
  type FailureReason,
  isRetryable,
  neverReachedServer,
  type ResolvedRetryPolicy,
} from "./retry-policy.js";

/** What hooks are told about a request: nothing secret, NHS numbers masked. */
export interface RequestInfo {
  operation: string;
  method: string;
  url: string;
  correlationId: string;
  attempt: number;
}

export interface Hooks {
  onRequest?(info: RequestInfo): void;
  onResponse?(info: RequestInfo & { status: number; durationMs: number }): void;
  onRetry?(info: RequestInfo & { delayMs: number; reason: string }): void;
}

export interface CallContext {
  operation: string;
  correlationId: string;
  timeoutMs: number;
  retry: ResolvedRetryPolicy;
  signal?: AbortSignal | undefined;
}

export interface TransportOptions {
  tokens: TokenProvider;
  fetch: () => typeof globalThis.fetch;
  limiter: TokenBucket | undefined;
  logger: Logger;
  hooks: Hooks;
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

  async send(request: Request, context: CallContext): Promise<Response> {
    const { tokens, limiter, logger, hooks } = this.options;
    const method = request.method.toUpperCase();
    const url = request.url;
    const description: RequestDescription = { method, url: redactUrl(url), operation: context.operation };
    // Read the body once: each attempt gets a fresh Request, since a sent body cannot be sent again.
    const body = method === "GET" || method === "HEAD" ? null : await request.arrayBuffer();
    const startedAt = performance.now();
    let renewedExpiredToken = false;

    for (let attempt = 1; ; attempt++) {
      const info: RequestInfo = {
        operation: context.operation,
        method,
        url: description.url,
        correlationId: context.correlationId,
        attempt,
      };
      await limiter?.acquire(context.signal);
      const token = await tokens.getToken(context.signal);
      // The Request is this call's own (openapi-fetch made it for us), so its headers may be set in place.
      request.headers.set("authorization", `Bearer ${token}`);
      request.headers.set(CORRELATION_HEADER, context.correlationId);
      const attemptStarted = performance.now();
      if (hooks.onRequest) callHook(logger, () => hooks.onRequest?.(info));
      logger.debug?.("request", { ...info });

      let failure: FailureReason;
      let response: Response | undefined;
      let thrown: Error | undefined;
      const deadline = new Deadline(context.timeoutMs, context.signal);
      try {
        // URL and init rather than a new Request: fetch builds one Request from them, not two.
        response = await this.options.fetch()(url, { method, headers: request.headers, body, signal: deadline.signal });
      } catch (cause) {
        if (context.signal?.aborted) throw context.signal.reason;
        const timedOut = deadline.timedOut;
        const code = connectionErrorCode(cause);
        const neverSent = !timedOut && neverReachedServer(code);
        thrown = timedOut
          ? new TimeoutError(
              `No answer within ${context.timeoutMs} ms from ${context.operation}; the request may have been processed`,
              { request: description, correlationId: context.correlationId, cause },
            )
          : new ConnectionError(
              `${neverSent ? "Could not connect" : "The connection failed"} (${code ?? "network error"}) during ${context.operation}`,
              { request: description, correlationId: context.correlationId, cause, neverReachedServer: neverSent },
            );
      } finally {
        deadline.clear();
      }

      if (response) {
        const durationMs = Math.round(performance.now() - attemptStarted);
        if (hooks.onResponse)
          callHook(logger, () => hooks.onResponse?.({ ...info, status: response.status, durationMs }));
        logger.debug?.("response", { ...info, status: response.status, durationMs });
        if (response.status === 401 && !renewedExpiredToken && (await isExpiredTokenResponse(response))) {
          // The gateway rejects before the backend, so replaying is safe for any method; once only.
          renewedExpiredToken = true;
          tokens.invalidate(token);
          discard(response);
          logger.info?.("access token expired; renewing it and sending the request again", { ...info });
          attempt--;
          continue;
        }
        if (response.ok || (response.status < 500 && response.status !== 429)) return response;
        failure = { type: "status", status: response.status };
      } else {
        failure =
          thrown instanceof TimeoutError
            ? { type: "timeout" }
            : { type: "connection", neverReachedServer: (thrown as ConnectionError).neverReachedServer };
      }

      const elapsed = performance.now() - startedAt;
      const retryAfter = response ? parseRetryAfter(response.headers.get("retry-after")) : undefined;
      const delayMs = retryAfter ?? backoffDelay(attempt, context.retry);
      const canRetry =
        attempt < context.retry.maxAttempts &&
        isRetryable(method, failure, context.retry) &&
        elapsed + delayMs <= context.retry.totalBudgetMs;
      if (!canRetry) {
        if (response) return response;
        throw thrown;
      }
      if (response) discard(response);
      const reason = describeFailure(failure);
      callHook(logger, () => hooks.onRetry?.({ ...info, delayMs, reason }));
      logger.info?.("retrying", { ...info, delayMs, reason });
      await sleep(delayMs, context.signal);
    }
  }
}

async function isExpiredTokenResponse(response: Response): Promise<boolean> {
  try {
    const body = JSON.parse(await response.clone().text()) as unknown;
    return issuesFromBody(body).some((issue) => issue.code === "expired");
  } catch {
    return false;
  }
}

/**
 * The timeout of one attempt, joined with the caller's signal. A plain timer,
 * cleared when the answer's headers arrive, costs less than
 * AbortSignal.timeout (whose timer lingers) and AbortSignal.any.
 */
class Deadline {
  readonly #controller = new AbortController();
  readonly #timer: ReturnType<typeof setTimeout>;
  readonly #caller: AbortSignal | undefined;
  readonly #onCallerAbort = () => this.#controller.abort(this.#caller?.reason);
  timedOut = false;

  constructor(ms: number, caller: AbortSignal | undefined) {
    this.#caller = caller;
    this.#timer = setTimeout(() => {
      this.timedOut = true;
      this.#controller.abort(new Error(`timed out after ${ms} ms`));
    }, ms);
    caller?.addEventListener("abort", this.#onCallerAbort, { once: true });
  }

  get signal() {
    return this.#controller.signal;
  }

  clear() {
    clearTimeout(this.#timer);
    this.#caller?.removeEventListener("abort", this.#onCallerAbort);
  }
}

/** Frees a response that will not be read (without waiting: some streams settle only when read). */
function discard(response: Response) {
  response.body?.cancel().catch(() => undefined);
}

/** A hook that throws must not break the call; it is logged instead. */
function callHook(logger: Logger, call: () => void) {
  try {
    call();
  } catch (error) {
    logger.warn?.("a hook threw; the call goes on", { error: error instanceof Error ? error.name : "unknown" });
  }
}
