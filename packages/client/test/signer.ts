// An external signer for tests: what a KMS-backed signer would do, done locally.
import { SignJWT } from "jose";
import type { AssertionClaims, AssertionHeader } from "../src/index.js";
import { privateKey } from "./support.js";

export const keySignerForTests = (claims: AssertionClaims, header: AssertionHeader) =>
  new SignJWT({ ...claims }).setProtectedHeader({ ...header }).sign(privateKey);
