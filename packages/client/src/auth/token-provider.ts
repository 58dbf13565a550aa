// Gets and caches access tokens. A token is reused until shortly before it
// expires; concurrent callers share one token request; every request (and
// every retry of one) signs a new assertion with a new jti, because the
// platform burns a jti even when the request fails.

import { tokenRequest } from "@nhs-app-api/contract";
import type { TokenResponse } from "@nhs-app-api/types/oauth-token";
import type { Span, Tracer } from "@opentelemetry/api";
import { AuthenticationError, ConnectionError, TimeoutError } from "../errors/errors.js";
import { readBody, tokenErrorFromResponse } from "../errors/from-response.js";
import { backoffDelay, raceAbort, sleep } from "../http/backoff.js";
import type { Logger } from "../http/logger.js";
import { httpAttributes, recordError, recordStatus, startChildSpan } from "../http/tracing.js";
import { redactUrl } from "../redaction.js";
import { type AssertionSigner, assertionClaims } from "./client-assertion.js";

export interface TokenProviderOptions {
  apiKey: string;
  kid: string;
  tokenUrl: string;
  signer: AssertionSigner;
  /** Looked up for every request, so that test interceptors installed later still see it. */
  fetch: () => typeof globalThis.fetch;
  timeoutMs: number;
  logger: Logger;
  tracer: Tracer;
  /** The whole User-Agent header. */
  userAgent: string;
  /** Attempts for a token request that failed in transit, with 429 or with 5xx. */
  maxAttempts?: number;
  /** Renew this long before expiry (halved for very short-lived tokens). */
  refreshMarginMs?: number;
  now?: () => number;
}

interface CachedToken {
  value: string;
  expiresAt: number;
}

export class TokenProvider {
  readonly #options: Required<Omit<TokenProviderOptions, "now">> & { now: () => number };
  #cached: CachedToken | undefined;
  #inFlight: Promise<string> | undefined;
  /** How many token requests were sent (for tests and benchmarks). */
  requestsSent = 0;

  constructor(options: TokenProviderOptions) {
    this.#options = { maxAttempts: 3, refreshMarginMs: 60_000, now: Date.now, ...options };
  }

  /**
   * A valid access token, from the cache or from the token endpoint. A caller
   * that aborts stops waiting; the shared request goes on for the others.
   * A token request is traced as a child of `parent`, the attempt that set it off.
   */
  getToken(signal?: AbortSignal, parent?: Span): Promise<string> {
    const cached = this.#cached;
    if (cached && this.#options.now() < cached.expiresAt) return Promise.resolve(cached.value);
    if (!this.#inFlight) {
      this.#inFlight = this.#fetchToken(parent).finally(() => {
        this.#inFlight = undefined;
      });
    }
    return raceAbort(this.#inFlight, signal);
  }

  /** Forgets a token the API called expired, unless a newer one has replaced it already. */
  invalidate(token: string) {
    if (this.#cached?.value === token) this.#cached = undefined;
  }

  async #fetchToken(parent: Span | undefined): Promise<string> {
    const { maxAttempts, logger, tracer, tokenUrl } = this.#options;
    for (let attempt = 1; ; attempt++) {
      const span = startChildSpan(tracer, parent, "nhs-app token", () => httpAttributes("POST", tokenUrl), attempt - 1);
      try {
        const token = await this.#requestOnce(attempt, span);
        span.end();
        return token;
      } catch (error) {
        recordError(span, error);
        // Ended before the backoff: the span is the request, not the wait after it.
        span.end();
        const retryable =
          error instanceof ConnectionError ||
          error instanceof TimeoutError ||
          (error instanceof AuthenticationError && (error.status === 429 || (error.status ?? 0) >= 500));
        if (!retryable || attempt >= maxAttempts) throw error;
        const delay = backoffDelay(attempt, { baseDelayMs: 500, maxDelayMs: 5_000 });
        logger.warn?.(
          { attempt, delayMs: delay, reason: (error as Error).name },
          "token request failed; retrying with a new assertion",
        );
        await sleep(delay);
      }
    }
  }

  async #requestOnce(attempt: number, span: Span): Promise<string> {
    const { apiKey, kid, tokenUrl, signer, timeoutMs, logger, now, userAgent } = this.#options;
    const request = { method: "POST", url: redactUrl(tokenUrl), operation: "token" };
    let assertion: string;
    try {
      assertion = await signer(assertionClaims(apiKey, tokenUrl, now()), { alg: "RS512", typ: "JWT", kid });
    } catch (cause) {
      throw new AuthenticationError("The client assertion could not be signed", { source: "signer", request, cause });
    }
    const body = new URLSearchParams({
      grant_type: tokenRequest.grantType,
      client_assertion_type: tokenRequest.clientAssertionType,
      client_assertion: assertion,
    });
    const timeout = AbortSignal.timeout(timeoutMs);
    logger.debug?.({ tokenUrl: request.url, attempt }, "requesting an access token");
    this.requestsSent++;
    let response: Response;
    let parsed: unknown;
    try {
      response = await this.#options.fetch()(tokenUrl, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
          "user-agent": userAgent,
        },
        body,
        signal: timeout,
      });
      // Within the same timeout: a body that stalls or breaks off fails the token request like no answer at all.
      recordStatus(span, response.status);
      parsed = await readBody(response);
    } catch (cause) {
      // Either way the API call that needed the token was never sent: nothing can have been processed.
      if (timeout.aborted) {
        throw new TimeoutError(`The token endpoint did not answer within ${timeoutMs} ms; nothing was sent`, {
          request,
          cause,
          mayHaveBeenProcessed: false,
        });
      }
      throw new ConnectionError("The token endpoint could not be reached; nothing was sent", {
        request,
        cause,
        neverReachedServer: true,
      });
    }
    if (!response.ok) {
      throw tokenErrorFromResponse({
        status: response.status,
        headers: response.headers,
        body: parsed,
        request,
        correlationId: undefined,
      });
    }
    const token = readTokenResponse(parsed);
    if (!token) {
      throw new AuthenticationError("The token endpoint answered 200 without a usable bearer token", {
        source: "token-endpoint",
        status: response.status,
        request,
      });
    }
    const lifetimeMs = token.expiresInSeconds * 1000;
    const margin = Math.min(this.#options.refreshMarginMs, lifetimeMs / 2);
    this.#cached = { value: token.accessToken, expiresAt: now() + lifetimeMs - margin };
    logger.debug?.({ expiresInSeconds: token.expiresInSeconds }, "access token received");
    return token.accessToken;
  }
}

/** A token response as it may arrive: the spec's fields (so a renamed field fails the build), none trusted. */
type UntrustedTokenResponse = { [Field in keyof TokenResponse]?: unknown };

/** Reads the token response; `expires_in` arrives as a string ("599") from the platform, or a number. */
export function readTokenResponse(body: unknown): { accessToken: string; expiresInSeconds: number } | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const { access_token, expires_in, token_type }: UntrustedTokenResponse = body;
  if (typeof access_token !== "string" || access_token === "") return undefined;
  if (typeof token_type === "string" && token_type.toLowerCase() !== "bearer") return undefined;
  const seconds =
    typeof expires_in === "number"
      ? expires_in
      : typeof expires_in === "string" && /^\d+$/.test(expires_in)
        ? Number(expires_in)
        : NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) return undefined;
  return { accessToken: access_token, expiresInSeconds: seconds };
}
