// A token bucket shared by every call of one client, so that bulk sending
// stays under the platform's rate limit (20 requests a second in dev and int)
// instead of collecting 429s.
import { sleep } from "./backoff.js";

export interface RateLimitOptions {
  /** Requests allowed per second on average. */
  requestsPerSecond: number;
  /** How many requests may go at once after a quiet spell (default: one second's worth). */
  burst?: number;
}

export class TokenBucket {
  readonly #rate: number;
  readonly #capacity: number;
  #tokens: number;
  #updatedAt: number;
  /** Callers wait in order: each reserves its token before sleeping. */
  #queue: Promise<void> = Promise.resolve();

  constructor(
    options: RateLimitOptions,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(options.requestsPerSecond > 0) || !Number.isFinite(options.requestsPerSecond)) {
      throw new RangeError("rateLimit.requestsPerSecond must be a positive number");
    }
    this.#rate = options.requestsPerSecond / 1000;
    this.#capacity = Math.max(1, Math.floor(options.burst ?? options.requestsPerSecond));
    this.#tokens = this.#capacity;
    this.#updatedAt = now();
  }

  /** Waits until a request may go. */
  acquire(signal?: AbortSignal): Promise<void> {
    const turn = this.#queue.then(() => this.#take(signal));
    // A caller that gives up must not block those behind it.
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  async #take(signal?: AbortSignal) {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const now = this.now();
      this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#updatedAt) * this.#rate);
      this.#updatedAt = now;
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return;
      }
      await sleep(Math.ceil((1 - this.#tokens) / this.#rate), signal);
    }
  }
}
