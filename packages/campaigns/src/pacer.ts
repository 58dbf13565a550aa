// Spaces request starts evenly, at most `requestsPerSecond` a second, shared
// by every worker of a batch. Even spacing rather than bursts, because the
// platform's spike arrest counts requests over a sliding second; and a
// sliding-window guard as well, because a timer that fires late bunches the
// starts after it: no start may be the (n+1)th within a second (plus a small
// margin for the way to the server) of the n starts before it.
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });

/** Milliseconds added to the sliding second by default, for requests that take different times to arrive. */
export const DEFAULT_ARRIVAL_MARGIN_MS = 10;
const WIDEN_BY_MS = 5;

export class Pacer {
  readonly #intervalMs: number;
  readonly #perWindow: number;
  #windowMs: number;
  /**
   * The most recent starts, oldest first, at most `#perWindow` of them: when
   * each was planned, replaced by when it really began once its timer fired.
   * A timer that fires late (the event loop busy, a journal write) shortens
   * the real gap to the starts after it, so the window counts real starts.
   */
  readonly #starts: { at: number }[] = [];
  #next = 0;

  constructor(requestsPerSecond: number, arrivalMarginMs = DEFAULT_ARRIVAL_MARGIN_MS) {
    if (!(requestsPerSecond > 0) || !Number.isFinite(requestsPerSecond)) {
      throw new RangeError(`requestsPerSecond must be a positive number, not ${requestsPerSecond}`);
    }
    if (!(arrivalMarginMs >= 0) || !Number.isFinite(arrivalMarginMs)) {
      throw new RangeError(`arrivalMarginMs must be zero or a positive number, not ${arrivalMarginMs}`);
    }
    this.#windowMs = 1000 + arrivalMarginMs;
    this.#intervalMs = 1000 / requestsPerSecond;
    this.#perWindow = Math.max(1, Math.floor(requestsPerSecond));
  }

  /**
   * The server refused a request for its rate (a spike-arrest 429): the way
   * there is less even than the margin allowed for, so widen it, by 5 ms a
   * time, to at most a second (half the rate).
   */
  widenMargin(): void {
    this.#windowMs = Math.min(this.#windowMs + WIDEN_BY_MS, 2000);
  }

  /** Resolves at this request's turn. */
  async turn(signal?: AbortSignal): Promise<void> {
    const now = performance.now();
    const full = this.#starts.length >= this.#perWindow;
    const windowFree = full ? (this.#starts[0] as { at: number }).at + this.#windowMs : 0;
    const start = { at: Math.max(now, this.#next, windowFree) };
    this.#next = start.at + this.#intervalMs;
    this.#starts.push(start);
    if (this.#starts.length > this.#perWindow) this.#starts.shift();
    if (start.at > now) await sleep(start.at - now, signal);
    start.at = Math.max(start.at, performance.now());
  }
}
