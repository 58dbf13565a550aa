// Sends one logical call: adds the access token and the correlation ID, waits
// for the rate limiter, applies the timeout and the caller's AbortSignal,
// renews an expired token once, retries what is safe to retry, and reports
// each step to the hooks and the logger (never with secrets in them).
import type { TokenProvider } from "../auth/token-provider.js";
import { ConnectionError, NhsAppError, type RequestDescription, TimeoutError } from "../errors/errors.js";
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
  /**
   * Set by the wrapped operations, which read the body themselves (see
   * `exchange` in core.ts): the answer comes back unread with its deadline
   * still running, in `deadline`, and the operation clears it once the body
   * is read. Without it (the raw client) the body is read here, in time.
   */
  readsBody?: boolean;
  deadline?: Deadline | undefined;
  /** What is being asked for, redacted: set by the transport, for errors raised while the body is read. */
  request?: RequestDescription | undefined;
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

/** Statuses whose answer has no body by definition: nothing to read, and a Response cannot be built with one. */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** One attempt's result: an answer whose headers arrived, or why none came. */
type Attempt =
  | { response: Response; token: string; failure?: undefined; thrown?: undefined }
  | { response?: undefined; token?: undefined; failure: FailureReason; thrown: NhsAppError };

export class Transport {
  constructor(private readonly options: TransportOptions) {}

  async send(request: Request, context: CallContext): Promise<Response> {
    const { tokens, limiter, logger, hooks } = this.options;
    const method = request.method.toUpperCase();
    const description: RequestDescription = { method, url: redactUrl(request.url), operation: context.operation };
    context.request = description;
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
      // Waiting for the rate limiter is not part of the timeout: in bulk sending it is the expected wait.
      await limiter?.acquire(context.signal);
      // The timeout covers the rest of the attempt: the access token, the answer and its whole body.
      const deadline = new Deadline(context.timeoutMs, context.signal);
      let outcome: Attempt;
      try {
        outcome = await this.#attempt(request, body, info, context, description, deadline);
      } catch (error) {
        deadline.clear();
        throw error;
      }

      const { response } = outcome;
      if (response) {
        if (response.status === 401 && !renewedExpiredToken && (await isExpiredTokenResponse(response))) {
          // The gateway rejects before the backend, so replaying is safe for any method; once only.
          renewedExpiredToken = true;
          deadline.clear();
          tokens.invalidate(outcome.token);
          discard(response);
          logger.info?.("access token expired; renewing it and sending the request again", { ...info });
          attempt--;
          continue;
        }
        if (response.ok || (response.status < 500 && response.status !== 429))
          return this.#deliver(response, context, deadline);
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
        if (response) return this.#deliver(response, context, deadline);
        deadline.clear();
        throw outcome.thrown;
      }
      deadline.clear();
      if (response) discard(response);
      const reason = describeFailure(failure);
      callHook(logger, () => hooks.onRetry?.({ ...info, delayMs, reason }));
      logger.info?.("retrying", { ...info, delayMs, reason });
      await sleep(delayMs, context.signal);
    }
  }

  /**
   * Hands over the answer: unread, with its deadline still running, to an
   * operation that reads the body itself; read in full within the deadline
   * for the raw client, so that a body that stalls cannot hang the caller.
   */
  async #deliver(response: Response, context: CallContext, deadline: Deadline): Promise<Response> {
    if (context.readsBody) {
      context.deadline = deadline;
      return response;
    }
    if (NULL_BODY_STATUSES.has(response.status)) {
      deadline.clear();
      return response;
    }
    try {
      const read = new Response(await response.arrayBuffer(), {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
      // Keep what the caller could read on the original: where the answer came from.
      Object.defineProperty(read, "url", { value: response.url });
      return read;
    } catch (cause) {
      throw bodyReadFailure(cause, context, deadline);
    } finally {
      deadline.clear();
    }
  }

  /** Gets a token, sends the request and waits for the answer's headers, all within the deadline. */
  async #attempt(
    request: Request,
    body: ArrayBuffer | null,
    info: RequestInfo,
    context: CallContext,
    description: RequestDescription,
    deadline: Deadline,
  ): Promise<Attempt> {
    const { tokens, logger, hooks } = this.options;
    const details = { request: description, correlationId: context.correlationId };
    let token: string;
    try {
      token = await tokens.getToken(deadline.signal);
    } catch (error) {
      if (context.signal?.aborted) throw context.signal.reason;
      if (deadline.timedOut) {
        // Nothing was sent, so nothing can have been processed.
        throw new TimeoutError(
          `No access token within ${context.timeoutMs} ms for ${context.operation}; nothing was sent`,
          {
            ...details,
            cause: error,
            mayHaveBeenProcessed: false,
          },
        );
      }
      throw error instanceof NhsAppError ? error.forCall(context.correlationId) : error;
    }
    // The Request is this call's own (openapi-fetch made it for us), so its headers may be set in place.
    request.headers.set("authorization", `Bearer ${token}`);
    request.headers.set(CORRELATION_HEADER, context.correlationId);
    const attemptStarted = performance.now();
    if (hooks.onRequest) callHook(logger, () => hooks.onRequest?.(info));
    logger.debug?.("request", { ...info });

    let response: Response;
    try {
      // URL and init rather than a new Request: fetch builds one Request from them, not two.
      response = await this.options.fetch()(request.url, {
        method: info.method,
        headers: request.headers,
        body,
        signal: deadline.signal,
      });
    } catch (cause) {
      if (context.signal?.aborted) throw context.signal.reason;
      const code = connectionErrorCode(cause);
      if (deadline.timedOut) {
        return {
          failure: { type: "timeout" },
          thrown: new TimeoutError(
            `No answer within ${context.timeoutMs} ms from ${context.operation}; the request may have been processed`,
            { ...details, cause },
          ),
        };
      }
      const neverSent = neverReachedServer(code);
      return {
        failure: { type: "connection", neverReachedServer: neverSent },
        thrown: new ConnectionError(
          `${neverSent ? "Could not connect" : "The connection failed"} (${code ?? "network error"}) during ${context.operation}`,
          { ...details, cause, neverReachedServer: neverSent },
        ),
      };
    }
    const durationMs = Math.round(performance.now() - attemptStarted);
    if (hooks.onResponse) callHook(logger, () => hooks.onResponse?.({ ...info, status: response.status, durationMs }));
    logger.debug?.("response", { ...info, status: response.status, durationMs });
    return { response, token };
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

/** Frees a response that will not be read (without waiting: some streams settle only when read). */
function discard(response: Response) {
  response.body?.cancel().catch(() => undefined);
}

/**
 * Why reading an answer's body failed, as the client's own error: the call's
 * timeout, or a connection lost after the request was sent (so the request
 * may have been processed either way). The caller's own abort is its reason.
 */
export function bodyReadFailure(cause: unknown, context: CallContext, deadline: Deadline): unknown {
  if (context.signal?.aborted) return context.signal.reason;
  const details = {
    ...(context.request ? { request: context.request } : {}),
    correlationId: context.correlationId,
    cause,
  };
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

/**
 * The timeout of one attempt, joined with the caller's signal. A plain timer,
 * cleared when the answer's headers arrive, costs less than
 * AbortSignal.timeout (whose timer lingers) and AbortSignal.any.
 */
export class Deadline {
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
    // A deadline left running on an answer nobody reads must not keep the process alive.
    this.#timer.unref?.();
    caller?.addEventListener("abort", this.#onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  clear() {
    clearTimeout(this.#timer);
    this.#caller?.removeEventListener("abort", this.#onCallerAbort);
  }
}

/** A hook that throws must not break the call; it is logged instead. */
function callHook(logger: Logger, call: () => void) {
  try {
    call();
  } catch (error) {
    logger.warn?.("a hook threw; the call goes on", { error: error instanceof Error ? error.name : "unknown" });
  }
}
