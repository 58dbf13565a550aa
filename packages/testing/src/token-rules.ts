// The platform token endpoint's rules for a client-credentials request with a
// signed JWT, checked in the platform's order, with its status codes and
// error texts (contract-notes section 2). The one token endpoint of this
// repository: the fake gateway (behind the msw handlers and the sandbox), the
// client's tests, the contract harness and the benchmarks all use it.
import { type KeyObject, randomUUID } from "node:crypto";
import { tokenRequest } from "@nhs-app-api/contract";
import { decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";

export interface TokenEndpointRules {
  /** The exact URL the assertion's `aud` must name. */
  tokenUrl: string;
  /** The registered application's API key (`iss` and `sub`). */
  apiKey: string;
  /** Public keys registered for the application, by `kid`. */
  publicKeys: ReadonlyMap<string, KeyObject>;
  /** Seconds a token lasts (the platform: 599). */
  tokenLifetimeSeconds?: number;
  now?: () => number;
  /** Makes each access token (default: a random one); tests that record pacts want predictable tokens. */
  newAccessToken?: () => string;
}

/** An assertion the endpoint read, decoded (for tests that check what a client sent). */
export interface ReceivedAssertion {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  raw: string;
}

export interface TokenError {
  status: number;
  body: { error: string; error_description: string; message_id: string };
}

export interface IssuedToken {
  accessToken: string;
  expiresAt: number;
  body: { access_token: string; expires_in: string; token_type: "Bearer"; issued_at: string };
}

const ASSERTION_TYPE = tokenRequest.clientAssertionType;

const fail = (status: number, error: string, description: string): TokenError => ({
  status,
  body: { error, error_description: description, message_id: `rrt-${randomUUID()}` },
});

/** Remembers every jti seen, as the platform does (for 30 days; here for the life of the object). */
export class TokenIssuer {
  readonly #seenJti = new Set<string>();
  readonly issued: IssuedToken[] = [];
  /** Every well-formed assertion received, in order, whether or not it was accepted. */
  readonly assertions: ReceivedAssertion[] = [];

  constructor(readonly rules: TokenEndpointRules) {}

  /** Checks one token request (its Content-Type and form body); returns a token or the platform's error. */
  async handle(contentType: string | null, formBody: string): Promise<IssuedToken | TokenError> {
    const now = this.rules.now ?? Date.now;
    if (!contentType?.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
      return fail(415, "invalid_request", "Content-Type header must be application/x-www-form-urlencoded");
    }
    const form = new URLSearchParams(formBody);
    const grantType = form.get("grant_type");
    if (!grantType) return fail(400, "invalid_request", "grant_type is missing");
    if (grantType !== tokenRequest.grantType) return fail(400, "unsupported_grant_type", "grant_type is invalid");
    if (form.get("client_assertion_type") !== ASSERTION_TYPE) {
      return fail(400, "invalid_request", `Missing or invalid client_assertion_type - must be '${ASSERTION_TYPE}'`);
    }
    const assertion = form.get("client_assertion");
    if (!assertion) return fail(400, "invalid_request", "Missing client_assertion");

    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = decodeProtectedHeader(assertion) as Record<string, unknown>;
      claims = decodeJwt(assertion) as Record<string, unknown>;
    } catch {
      return fail(400, "invalid_request", "Malformed JWT in client_assertion");
    }
    this.assertions.push({ header, claims, raw: assertion });
    const invalid = (description: string) => fail(400, "invalid_request", description);
    const nowSeconds = Math.floor(now() / 1000);
    if (header.alg !== "RS512") {
      return invalid("Invalid 'alg' header in client_assertion JWT - unsupported JWT algorithm - must be 'RS512'");
    }
    if (typeof claims.exp === "number" && claims.exp < nowSeconds) {
      return invalid("Invalid 'exp' claim in client_assertion JWT - JWT has expired");
    }
    if (typeof header.kid !== "string" || header.kid === "")
      return invalid("Missing 'kid' header in client_assertion JWT");
    if (typeof header.typ !== "string" || header.typ.toUpperCase() !== "JWT") {
      return invalid("Invalid 'typ' header in client_assertion JWT - must be 'JWT'");
    }
    if (claims.exp === undefined) return invalid("Missing 'exp' claim in client_assertion JWT");
    if (!Number.isInteger(claims.exp))
      return invalid("Invalid 'exp' claim in client_assertion JWT - must be an integer");
    if (typeof claims.iss !== "string" || claims.iss !== claims.sub) {
      return invalid("Missing or non-matching 'iss'/'sub' claims in client_assertion JWT");
    }
    if (claims.jti === undefined) return invalid("Missing 'jti' claim in client_assertion JWT");
    if (typeof claims.jti !== "string") {
      return invalid("Invalid 'jti' claim in client_assertion JWT - must be a unique string value such as a GUID");
    }
    if (this.#seenJti.has(claims.jti)) return invalid("Non-unique 'jti' claim in client_assertion JWT");
    if ((claims.exp as number) - nowSeconds > 310) {
      return invalid("Invalid 'exp' claim in client_assertion JWT - more than 5 minutes in future");
    }
    // The platform burns the jti here, before the checks below can fail.
    this.#seenJti.add(claims.jti);
    if (claims.iss !== this.rules.apiKey) {
      return fail(401, "invalid_request", "Invalid 'iss'/'sub' claims in client_assertion JWT");
    }
    const key = this.rules.publicKeys.get(header.kid);
    if (!key)
      return fail(401, "invalid_request", "Invalid 'kid' header in client_assertion JWT - no matching public key");
    if (claims.aud !== this.rules.tokenUrl) {
      return fail(401, "invalid_request", "Missing or invalid 'aud' claim in client_assertion JWT");
    }
    try {
      await jwtVerify(assertion, key, { algorithms: ["RS512"], clockTolerance: 10, currentDate: new Date(now()) });
    } catch {
      return fail(401, "public_key error", "JWT signature verification failed");
    }
    const lifetime = this.rules.tokenLifetimeSeconds ?? 599;
    const accessToken = this.rules.newAccessToken?.() ?? randomUUID().replace(/-/g, "");
    const token: IssuedToken = {
      accessToken,
      expiresAt: now() + lifetime * 1000,
      body: { access_token: accessToken, expires_in: String(lifetime), token_type: "Bearer", issued_at: String(now()) },
    };
    this.issued.push(token);
    return token;
  }

  /** How the API's gateway sees a bearer token: valid, expired, or unknown. */
  check(authorization: string | null): "valid" | "expired" | "unknown" {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
    const token = match && this.issued.find((t) => t.accessToken === match[1]);
    if (!token) return "unknown";
    return (this.rules.now ?? Date.now)() < token.expiresAt ? "valid" : "expired";
  }
}

export const isTokenError = (result: IssuedToken | TokenError): result is TokenError => "status" in result;
