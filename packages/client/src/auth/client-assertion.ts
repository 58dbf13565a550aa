// Signs the client assertion the platform's token endpoint expects: header
// {alg: RS512, typ: JWT, kid}; claims iss = sub = API key, aud = the exact
// token URL, a fresh jti (UUID v4) every time, exp at most 300 s ahead, and no
// nbf or iat (a clock a little ahead of the platform's would break nbf).

import type { KeyObject } from "node:crypto";
import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";

export interface AssertionClaims {
  iss: string;
  sub: string;
  aud: string;
  jti: string;
  exp: number;
}

export interface AssertionHeader {
  alg: "RS512";
  typ: "JWT";
  kid: string;
}

/** Signs an assertion elsewhere (a KMS or HSM); returns the compact JWT. */
export type AssertionSigner = (claims: AssertionClaims, header: AssertionHeader) => Promise<string>;

/** The platform refuses exp more than 300 s ahead (310 with its grace); stay safely inside. */
export const ASSERTION_LIFETIME_SECONDS = 280;

export function assertionClaims(apiKey: string, tokenUrl: string, nowMs: number = Date.now()): AssertionClaims {
  return {
    iss: apiKey,
    sub: apiKey,
    aud: tokenUrl,
    jti: randomUUID(),
    exp: Math.floor(nowMs / 1000) + ASSERTION_LIFETIME_SECONDS,
  };
}

export function keySigner(key: KeyObject): AssertionSigner {
  return (claims, header) => new SignJWT({ ...claims }).setProtectedHeader({ ...header }).sign(key);
}
