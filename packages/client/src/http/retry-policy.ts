// When a failed attempt may be tried again. The rule that matters most: a
// message request (POST) is repeated only where it certainly was not
// processed, because the API has no idempotency key and a repeat would send
// the patient the same message twice.

export interface RetryPolicy {
  /** Attempts in all, the first included (default 3; 1 turns retries off). */
  maxAttempts?: number;
  /** The ceiling of the first backoff wait (default 500 ms); waits double up to `maxDelayMs`. */
  baseDelayMs?: number;
  /** The longest single wait (default 10 s). */
  maxDelayMs?: number;
  /** No retry starts once this much time has passed since the first attempt (default 60 s). */
  totalBudgetMs?: number;
  /**
   * DANGER: also retry message requests (POST) after a 5xx, a timeout or a
   * dropped connection. Any of these can happen after the NHS App accepted the
   * message, so a retry can send the patient the same message twice. Leave it
   * off unless duplicates are acceptable for this message.
   */
  allowDuplicateMessages?: boolean;
}

export type ResolvedRetryPolicy = Required<RetryPolicy>;

export const defaultRetryPolicy: ResolvedRetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  totalBudgetMs: 60_000,
  allowDuplicateMessages: false,
};

export function resolveRetryPolicy(...policies: (RetryPolicy | undefined)[]): ResolvedRetryPolicy {
  const merged = Object.assign({}, defaultRetryPolicy, ...policies.filter(Boolean)) as ResolvedRetryPolicy;
  if (!Number.isInteger(merged.maxAttempts) || merged.maxAttempts < 1) {
    throw new RangeError("retry.maxAttempts must be a whole number of at least 1");
  }
  return merged;
}

/** Why an attempt failed, as far as retrying is concerned. */
export type FailureReason =
  | { type: "status"; status: number }
  | { type: "timeout" }
  | { type: "connection"; neverReachedServer: boolean };

/** Is it safe, and useful, to try this request again? */
export function isRetryable(method: string, failure: FailureReason, policy: ResolvedRetryPolicy): boolean {
  const idempotent = method === "GET" || method === "HEAD";
  switch (failure.type) {
    case "status":
      // The gateway answers 429 before the request reaches the NHS App: nothing was processed.
      if (failure.status === 429) return true;
      if (failure.status >= 500) return idempotent || policy.allowDuplicateMessages;
      return false;
    case "timeout":
      return idempotent || policy.allowDuplicateMessages;
    case "connection":
      return idempotent || failure.neverReachedServer || policy.allowDuplicateMessages;
  }
}

/** Connection errors after which the request certainly never reached the server. */
const NEVER_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** Reads the error code undici puts on `cause` (or deeper) when fetch fails. */
export function connectionErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const neverReachedServer = (code: string | undefined) => code !== undefined && NEVER_SENT_CODES.has(code);
