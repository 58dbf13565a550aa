// Turns the private key a caller configured (PEM text, KeyObject or JWK) into
// a KeyObject, and says clearly what to fix when it is not an RSA private key.
// The key itself never appears in an error message.
import { createPrivateKey, type JsonWebKey, KeyObject } from "node:crypto";
import { ConfigurationError } from "../errors/errors.js";

export type PrivateKeyInput = string | KeyObject | JsonWebKey;

const fail = (what: string) => new ConfigurationError(`privateKey: ${what}`);

export function loadPrivateKey(input: PrivateKeyInput): KeyObject {
  let key: KeyObject;
  if (input instanceof KeyObject) {
    key = input;
  } else if (typeof input === "string") {
    const pem = input.trim();
    if (!pem.startsWith("-----BEGIN")) {
      throw fail("expected a PEM private key starting with -----BEGIN (a file path is not read; pass its contents)");
    }
    if (!pem.includes("\n")) {
      throw fail(
        "the PEM text has no line breaks (often the case when it comes from an environment variable with literal \\n); restore the newlines",
      );
    }
    if (/-----BEGIN (RSA )?PUBLIC KEY-----|-----BEGIN CERTIFICATE-----/.test(pem)) {
      throw fail("this is a public key or certificate; the client needs the private key that signs assertions");
    }
    try {
      key = createPrivateKey({ key: pem, format: "pem" });
    } catch {
      throw fail("the PEM text could not be read as a private key (is it encrypted, truncated or not a key?)");
    }
  } else if (typeof input === "object" && input !== null) {
    if (input.kty !== "RSA") throw fail(`the JWK has kty ${String(input.kty)}; an RSA key is needed`);
    if (typeof input.d !== "string") throw fail("the JWK has no private part (d); pass the private JWK");
    try {
      key = createPrivateKey({ key: input, format: "jwk" });
    } catch {
      throw fail("the JWK could not be read as an RSA private key");
    }
  } else {
    throw fail("expected a PEM string, a KeyObject or a JWK");
  }
  if (key.type !== "private") throw fail("this is not a private key");
  if (key.asymmetricKeyType !== "rsa") {
    throw fail(`this is a ${key.asymmetricKeyType ?? "non-RSA"} key; the platform needs an RSA key for RS512`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) throw fail(`the RSA key has ${bits} bits; RS512 needs at least 2048 (the platform suggests 4096)`);
  return key;
}
