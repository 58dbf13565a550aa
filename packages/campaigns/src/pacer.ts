// Spaces a batch's API calls, at most `requestsPerSecond` in any second as the
// server counts them, shared by every worker of the batch. Even spacing rather
// than bursts, because the platform's spike arrest counts calls over a sliding
// second. And a guard that holds whatever the way to the server does: a call's
// answer proves the call had arrived by then, so no call starts until a second
// has passed since every call at least `requestsPerSecond` turns before it was
// answered. Then no `requestsPerSecond + 1` calls can arrive within a second,
// however unevenly they travel. The price is each call's round trip, once a
// second; a call that travels slowly costs only the turns a second after it.
import { sleep, unlessAborted } from "./abortable.js";

const WIDEN_BY_MS = 5;
const SECOND = 1000;

/** One call's turn: when it began, and when its answer came (the time it had certainly arrived by). */
interface Turn {
  answered: Promise<number>;
}

/** Tell the pacer the call's answer (or failure) has come: call it exactly once, when it does. */
export type Answered = () => void;

export class Pacer {
  readonly #intervalMs: number;
  readonly #perWindow: number;
  #marginMs: number;
  /** Turns given out and not yet folded into #answeredBy, oldest first. */
  readonly #turns: Turn[] = [];
  /** The latest answer among the turns folded away: no later turn may start within a second of it. */
  #answeredBy = Number.NEGATIVE_INFINITY;
  /**
   * When the next turn is due by the even spacing: an interval after the one
   * before was due, not after it began, so that timers firing a little late
   * do not add up to a slower rate. (The guard keeps the count right.)
   */
  #nextDue = Number.NEGATIVE_INFINITY;
  /** Turns are taken one at a time, in the order asked for. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(requestsPerSecond: number, arrivalMarginMs = 0) {
    if (!(requestsPerSecond > 0) || !Number.isFinite(requestsPerSecond)) {
      throw new RangeError(`requestsPerSecond must be a positive number, not ${requestsPerSecond}`);
    }
    if (!(arrivalMarginMs >= 0) || !Number.isFinite(arrivalMarginMs)) {
      throw new RangeError(`arrivalMarginMs must be zero or a positive number, not ${arrivalMarginMs}`);
    }
    this.#intervalMs = SECOND / requestsPerSecond;
    this.#perWindow = Math.max(1, Math.floor(requestsPerSecond));
    this.#marginMs = arrivalMarginMs;
  }

  /**
   * The server refused a call for its rate (a spike-arrest 429) although
   * paced: it counts calls this pacer cannot see (the application's other
   * traffic) or counts some other way, so leave more room, 5 ms more each
   * time, to at most a second.
   */
  widenMargin(): void {
    this.#marginMs = Math.min(this.#marginMs + WIDEN_BY_MS, SECOND);
  }

  /**
   * Resolves at this call's turn with `answered`, to call when the call's
   * answer (or failure) comes. A turn whose call is never made must still
   * be answered, at once.
   */
  turn(signal?: AbortSignal): Promise<Answered> {
    let answer!: (at: number) => void;
    const turn: Turn = { answered: new Promise<number>((resolve) => (answer = resolve)) };
    let called = false;
    const answered: Answered = () => {
      if (called) return;
      called = true;
      answer(performance.now());
    };
    const mine = this.#queue.then(() => this.#begin(turn, signal));
    // The next turn waits for this one to begin, or to be given up.
    this.#queue = mine.catch(() => {});
    return mine.then(
      () => answered,
      (error: unknown) => {
        answered(); // never made: it holds up no later turn
        throw error;
      },
    );
  }

  async #begin(turn: Turn, signal?: AbortSignal): Promise<void> {
    this.#turns.push(turn);
    // Every turn at least #perWindow before this one must have been answered a second ago.
    while (this.#turns.length > this.#perWindow) {
      const oldest = this.#turns[0] as Turn;
      this.#answeredBy = Math.max(this.#answeredBy, await unlessAborted(oldest.answered, signal));
      this.#turns.shift();
    }
    const at = Math.max(this.#nextDue, this.#answeredBy + SECOND + this.#marginMs, performance.now());
    this.#nextDue = at + this.#intervalMs;
    // A timer may fire up to a millisecond early (it counts whole milliseconds): sleep out the rest.
    for (let left = at - performance.now(); left > 0; left = at - performance.now()) await sleep(left, signal);
  }
}
