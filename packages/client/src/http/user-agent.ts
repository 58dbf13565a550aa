// The User-Agent of every request, API and token alike, so the platform's
// logs tell this client (and its version) apart. The caller's product comes
// first: RFC 9110 lists product tokens most significant first.
import { CLIENT_VERSION } from "../version.js";

export const CLIENT_PRODUCT = `nhs-app-api-client/${CLIENT_VERSION}`;

/** `my-gp-system/2.3 nhs-app-api-client/0.1.0 node/20.19.0`, or without the caller's part. */
export function userAgentOf(callerProduct: string | undefined): string {
  const ours = `${CLIENT_PRODUCT} node/${process.versions.node}`;
  return callerProduct ? `${callerProduct} ${ours}` : ours;
}

/** Printable ASCII only: a header value, so no line breaks (no header injection) and nothing fetch would refuse. */
export const isValidUserAgentProduct = (value: unknown): value is string =>
  typeof value === "string" && /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(value);
