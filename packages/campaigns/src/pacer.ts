// Spaces request starts evenly, at most `requestsPerSecond` a second, shared
// by every worker of a batch. Even spacing rather than bursts: the platform's
// spike arrest counts requests over short windows.
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });

export class Pacer {
  readonly #intervalMs: number;
  #next = 0;

  constructor(requestsPerSecond: number) {
    if (!(requestsPerSecond > 0) || !Number.isFinite(requestsPerSecond)) {
      throw new RangeError(`requestsPerSecond must be a positive number, not ${requestsPerSecond}`);
    }
    this.#intervalMs = 1000 / requestsPerSecond;
  }

  /** Resolves at this request's turn. */
  async turn(signal?: AbortSignal): Promise<void> {
    const now = performance.now();
    const at = Math.max(now, this.#next);
    this.#next = at + this.#intervalMs;
    if (at > now) await sleep(at - now, signal);
  }
}
