// The sandbox's clock: epoch milliseconds that start where a developer says
// (`--clock`), run at a chosen speed (`--speed 60`: a minute a second) and
// move forward on request (the control API's `advance`), never back. The
// gateway asks it what time it is (which day a message falls on, which
// receipt reports are complete), and the callback delivery waits on it, so a
// receipt due in an hour is posted the moment the clock is moved past it.
import type { DeliveryClock } from "./callback-delivery.js";

export interface SandboxTimeOptions {
  /** Where the clock starts: epoch ms, a Date or an ISO 8601 time with a zone (default: now). */
  start?: number | Date | string;
  /** How fast it runs against real time: 1 is real time, 60 a minute a second (default 1). */
  speed?: number;
}

/** What moves the sandbox's clock underneath: real time, unless a test gives its own. */
export interface TimeSource {
  /** Real milliseconds, never going back (performance.now()). */
  now(): number;
  setTimeout(fire: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_TIME: TimeSource = {
  now: () => performance.now(),
  setTimeout: (fire, ms) => setTimeout(fire, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The longest a real timer may wait (Node's setTimeout takes at most 2^31-1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** An ISO 8601 date-time with a zone (`Z` or `+01:00`): what `--clock` and `to` take. */
const ZONED_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

/** Epoch ms of a start or target time; a RangeError says what is wrong. */
export function parseClockTime(value: number | Date | string, what = "the clock's time"): number {
  const ms =
    typeof value === "number"
      ? value
      : value instanceof Date
        ? value.getTime()
        : ZONED_TIME.test(value.trim())
          ? Date.parse(value.trim())
          : Number.NaN;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) {
    throw new RangeError(
      `${what} must be an ISO 8601 date-time with a zone, such as 2026-12-05T21:59:00Z (it is ${String(value)})`,
    );
  }
  return ms;
}

export function checkSpeed(speed: number): number {
  if (!(typeof speed === "number" && Number.isFinite(speed) && speed > 0 && speed <= 1_000_000)) {
    throw new RangeError(`The clock's speed must be a number above 0 and at most 1000000 (it is ${String(speed)})`);
  }
  return speed;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration such as `90m`, `2h`, `1d`, `30s`, `1h30m` or `250ms`; a RangeError for anything else. */
export function parseDuration(value: string): number {
  const text = value.trim().toLowerCase();
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (text === "" || parts.map((part) => part[0]).join("") !== text) {
    throw new RangeError(
      `A duration is a number and a unit (ms, s, m, h or d), such as 90m, 2h or 1d (it is "${value}")`,
    );
  }
  return Math.round(
    parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * (UNITS[unit as string] as number), 0),
  );
}

interface Timer {
  due: number;
  fire: () => void;
}

/**
 * The sandbox's clock. `now()` is epoch ms; it is also a DeliveryClock
 * (`after` waits on it), so callbacks fall due by the sandbox's time.
 */
export class SandboxTime implements DeliveryClock {
  readonly #source: TimeSource;
  /** The clock's reading at `#sourceBase` of the source. */
  #base: number;
  #sourceBase: number;
  #speed: number;
  readonly #timers = new Set<Timer>();
  #handle: unknown;
  #handleDue = Number.POSITIVE_INFINITY;

  constructor(options: SandboxTimeOptions = {}, source: TimeSource = REAL_TIME) {
    this.#source = source;
    this.#base = options.start === undefined ? Date.now() : parseClockTime(options.start);
    this.#sourceBase = source.now();
    this.#speed = checkSpeed(options.speed ?? 1);
  }

  /** The sandbox's time, epoch ms. */
  now(): number {
    return this.#base + (this.#source.now() - this.#sourceBase) * this.#speed;
  }

  epochMs(): number {
    return this.now();
  }

  get speed(): number {
    return this.#speed;
  }

  /** Runs the clock at another speed from now on (the time so far stays). */
  setSpeed(speed: number): void {
    checkSpeed(speed);
    this.#rebase();
    this.#speed = speed;
    // The real wait for the earliest timer changes with the speed.
    this.#clear();
    this.#schedule();
  }

  /** Moves the clock forward by `ms` (0 or more); whatever falls due meanwhile fires now. */
  advance(ms: number): void {
    if (!(Number.isFinite(ms) && ms >= 0)) {
      throw new RangeError(`The clock moves forward only: advance by 0 ms or more (it is ${ms})`);
    }
    this.#rebase();
    this.#base += ms;
    this.#fireDue();
  }

  /** Moves the clock to a later time (epoch ms); a time before now is refused, since days and receipts already seen cannot unhappen. */
  advanceTo(time: number): void {
    const now = this.now();
    if (time < now) {
      throw new RangeError(
        `The clock moves forward only: ${new Date(time).toISOString()} is before its time now, ${new Date(now).toISOString()}`,
      );
    }
    this.advance(time - now);
  }

  /** Calls `fire` once the sandbox's clock reaches `ms` from now; returns a function that cancels it. */
  after(ms: number, fire: () => void): () => void {
    const timer: Timer = { due: this.now() + Math.max(0, ms), fire };
    this.#timers.add(timer);
    this.#schedule();
    return () => {
      this.#timers.delete(timer);
      if (this.#timers.size === 0) this.#clear();
    };
  }

  /** Cancels every timer (the sandbox is stopping). */
  stop(): void {
    this.#timers.clear();
    this.#clear();
  }

  #rebase() {
    this.#base = this.now();
    this.#sourceBase = this.#source.now();
  }

  #fireDue() {
    const now = this.now();
    const due = [...this.#timers].filter((timer) => timer.due <= now).sort((a, b) => a.due - b.due);
    for (const timer of due) this.#timers.delete(timer);
    for (const timer of due) timer.fire();
    this.#schedule();
  }

  /** One real timer, for the earliest due: rearmed whenever the earliest or the speed changes. */
  #schedule() {
    let earliest = Number.POSITIVE_INFINITY;
    for (const timer of this.#timers) earliest = Math.min(earliest, timer.due);
    if (earliest === Number.POSITIVE_INFINITY) return this.#clear();
    if (this.#handle !== undefined && earliest === this.#handleDue) return;
    this.#clear();
    const realMs = Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil((earliest - this.now()) / this.#speed)));
    this.#handleDue = earliest;
    this.#handle = this.#source.setTimeout(() => {
      this.#handle = undefined;
      this.#handleDue = Number.POSITIVE_INFINITY;
      this.#fireDue();
    }, realMs);
  }

  #clear() {
    if (this.#handle !== undefined) this.#source.clearTimeout(this.#handle);
    this.#handle = undefined;
    this.#handleDue = Number.POSITIVE_INFINITY;
  }
}
