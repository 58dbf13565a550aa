// A key pair for tests: the private key for the client under test, and the
// public half as a JWKS, registered under a key ID, for the token endpoint
// that checks the assertions.
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import type { JWK } from "jose";

export interface TestKeys {
  keyId: string;
  privateKey: KeyObject;
  /** PKCS#8 PEM, as a client would read it from a file. */
  privateKeyPem: string;
  publicKey: KeyObject;
  /** `{ keys: [publicJwk] }`, what an application registers with the platform. */
  jwks: { keys: JWK[] };
}

/** A fresh 2048-bit RSA key pair (RS512 needs at least 2048 bits; the platform suggests 4096 for real keys). */
export function createTestKeys(keyId = "test-key-1"): TestKeys {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = publicKey.export({ format: "jwk" }) as JWK;
  return {
    keyId,
    privateKey,
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKey,
    jwks: { keys: [{ ...jwk, kid: keyId, alg: "RS512", use: "sig" }] },
  };
}
