// The timeout of one attempt, joined with the caller's own AbortSignal. It
// starts before the access token is fetched and runs until the answer's body
// has been read, so a token endpoint or a body that stalls cannot hang a
// call. A plain timer, cleared when done, costs less than AbortSignal.timeout
// (whose timer lingers) and AbortSignal.any.
export class Deadline {
  readonly #controller = new AbortController();
  readonly #timer: ReturnType<typeof setTimeout>;
  readonly #caller: AbortSignal | undefined;
  readonly #onCallerAbort = () => this.#controller.abort(this.#caller?.reason);
  #timedOut = false;

  constructor(
    readonly ms: number,
    caller: AbortSignal | undefined,
  ) {
    this.#caller = caller;
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      this.#controller.abort(new Error(`timed out after ${ms} ms`));
    }, ms);
    // A deadline left running on an answer nobody reads must not keep the process alive.
    this.#timer.unref?.();
    // A signal aborted before the attempt fires no event: abort at once, so nothing is sent.
    if (caller?.aborted) this.#controller.abort(caller.reason);
    else caller?.addEventListener("abort", this.#onCallerAbort, { once: true });
  }

  /** Aborts when the time is up or the caller aborts. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True once the time ran out (not when the caller aborted). */
  get timedOut(): boolean {
    return this.#timedOut;
  }

  clear() {
    clearTimeout(this.#timer);
    this.#caller?.removeEventListener("abort", this.#onCallerAbort);
  }
}
