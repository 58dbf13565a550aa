// Signs an assertion as the client would, for tests that need to hold on to it.
import { createPrivateKey } from "node:crypto";
import { SignJWT } from "jose";

export const keySignerForTests = (pem: string, claims: object, header: object) =>
  new SignJWT({ ...claims }).setProtectedHeader({ ...(header as { alg: string }) }).sign(createPrivateKey(pem));
