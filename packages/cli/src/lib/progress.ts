// A batch's progress on stderr: done/total, the rate of messages settled this
// run, and the time left at that rate. On a terminal one line is redrawn in
// place (at most ten times a second); into a file or a pipe a line is written
// every few seconds, so that a log is not flooded.

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressOptions {
  total: number;
  stream: ProgressStream;
  /** Between lines when the stream is not a terminal (default 5 s). */
  everyMs?: number;
  now?: () => number;
}

const duration = (seconds: number) => {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
};

/** The words of a progress line: `12/30 (40%) 19.5/s, about 1s left`. */
export function progressText(done: number, total: number, fresh: number, elapsedMs: number): string {
  const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
  const rate = elapsedMs > 0 ? (fresh / elapsedMs) * 1000 : 0;
  const left = total - done;
  const eta = left === 0 ? "done" : rate > 0 ? `about ${duration(left / rate)} left` : "time left unknown";
  return `${done}/${total} (${percent}%) ${rate.toFixed(1)}/s, ${eta}`;
}

const bar = (done: number, total: number, width = 24) => {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
};

export class Progress {
  readonly #options: Required<ProgressOptions>;
  readonly #started: number;
  #done = 0;
  #fresh = 0;
  #lastDrawn: number;
  #shown = false;

  constructor(options: ProgressOptions) {
    this.#options = { everyMs: 5000, now: () => performance.now(), ...options };
    this.#started = this.#options.now();
    // A log's first line only after the first interval: a short batch needs no progress lines.
    this.#lastDrawn = this.#tty ? Number.NEGATIVE_INFINITY : this.#started;
  }

  get #tty() {
    return this.#options.stream.isTTY === true;
  }

  #text() {
    const { total, now } = this.#options;
    return progressText(this.#done, total, this.#fresh, now() - this.#started);
  }

  /** One more message settled; `fresh` when this run settled it (sent, refused, failed), not an earlier run. */
  tick(fresh: boolean): void {
    this.#done++;
    if (fresh) this.#fresh++;
    const now = this.#options.now();
    const every = this.#tty ? 100 : this.#options.everyMs;
    if (now - this.#lastDrawn < every && this.#done < this.#options.total) return;
    this.#lastDrawn = now;
    this.draw();
  }

  draw(): void {
    if (this.#tty) {
      this.#options.stream.write(`\r\x1b[2K${bar(this.#done, this.#options.total)} ${this.#text()}`);
      this.#shown = true;
    } else if (this.#done < this.#options.total) {
      this.#options.stream.write(`progress: ${this.#text()}\n`);
    }
  }

  /** Takes the terminal's line away (before other output there, and at the end). */
  clear(): void {
    if (this.#tty && this.#shown) this.#options.stream.write("\r\x1b[2K");
    this.#shown = false;
  }
}
