// The platform's rate limits, when a test asks for them: a per-second spike
// arrest and a per-minute quota, both per application, counted over sliding
// windows of the API calls the gateway let through. Off unless configured.

/** Limits for the fake gateway (both optional; neither set means no limit). */
export interface GatewayRateLimit {
  /** API calls allowed in any sliding one-second window; over it, 429 spike arrest. */
  requestsPerSecond?: number;
  /** API calls allowed in any sliding one-minute window; over it, 429 quota. */
  requestsPerMinute?: number;
}

/**
 * The limits of the development and integration environments: 20 a second
 * (the spec), and the platform's default application quota of 1200 a minute.
 */
export const INTEGRATION_RATE_LIMIT = { requestsPerSecond: 20, requestsPerMinute: 1200 } as const;

/** Which limit refused a call, named as the spec's 429 examples are. */
export type RateLimitRefusal = "exceeded-spike-arrest" | "exceeded-quota-per-app";

const SECOND = 1_000;
const MINUTE = 60_000;

function checked(name: keyof GatewayRateLimit, value: number | undefined) {
  if (value !== undefined && !(Number.isSafeInteger(value) && value > 0)) {
    throw new RangeError(`rateLimit.${name} must be a whole number of at least 1 (it is ${value})`);
  }
  return value;
}

export class RateLimiter {
  readonly #perSecond: number | undefined;
  readonly #perMinute: number | undefined;
  /** When each call that was let through arrived, oldest first, kept for the longest window. */
  readonly #accepted: number[] = [];

  constructor(limit: GatewayRateLimit) {
    this.#perSecond = checked("requestsPerSecond", limit.requestsPerSecond);
    this.#perMinute = checked("requestsPerMinute", limit.requestsPerMinute);
  }

  /**
   * Counts one call arriving at `now` (ms), unless a limit refuses it. A window
   * is (now - length, now]: a call exactly one second (one minute) older no
   * longer counts, so calls spaced exactly 1000/limit ms apart all pass.
   * Refused calls do not count, so a client that backs off recovers.
   */
  take(now: number): RateLimitRefusal | undefined {
    // A clock that steps back (a test's, or the wall clock) must not unsort the list.
    const at = Math.max(now, this.#accepted.at(-1) ?? now);
    const longest = this.#perMinute === undefined ? SECOND : MINUTE;
    while (this.#accepted.length > 0 && (this.#accepted[0] as number) <= at - longest) this.#accepted.shift();
    if (this.#perSecond !== undefined && this.#since(at - SECOND) >= this.#perSecond) return "exceeded-spike-arrest";
    if (this.#perMinute !== undefined && this.#accepted.length >= this.#perMinute) return "exceeded-quota-per-app";
    this.#accepted.push(at);
    return undefined;
  }

  /** Calls let through after `start` (exclusive). */
  #since(start: number) {
    let count = 0;
    for (let i = this.#accepted.length - 1; i >= 0 && (this.#accepted[i] as number) > start; i--) count++;
    return count;
  }
}
