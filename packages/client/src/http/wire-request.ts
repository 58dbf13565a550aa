// The request openapi-fetch builds for the client's own operations, kept as
// plain parts: URL, method, headers and the body as the text that was
// validated. A fetch Request would put that text into a stream only for the
// transport to read it back out, and each attempt sends it anew anyway; this
// is the "Request" class openapi-fetch lets a call choose (its `Request`
// option), used for the wrapped operations only, never for `raw`.

export interface WireRequestInit {
  method?: string;
  headers?: ConstructorParameters<typeof Headers>[0];
  body?: unknown;
}

export class WireRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  /** The JSON text to send, or undefined for a request without a body. */
  readonly body: string | undefined;

  constructor(url: string | URL, init: WireRequestInit = {}) {
    this.url = String(url);
    this.method = (init.method ?? "GET").toUpperCase();
    // openapi-fetch hands over a Headers of its own making: used as it is, not copied.
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
    if (init.body !== undefined && init.body !== null && typeof init.body !== "string") {
      // The operations serialise their bodies themselves; anything else is a bug here, not the caller's.
      throw new TypeError("WireRequest takes a body already serialised as text");
    }
    this.body = init.body ?? undefined;
  }
}

/** What a call's openapi-fetch options give as its Request class (openapi-fetch types it as fetch's). */
export const wireRequestClass = WireRequest as unknown as typeof Request;
