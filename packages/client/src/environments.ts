// The NHS App API's environments and their token endpoints, from the spec's
// servers (generated into @nhs-app-api/contract). The development
// environment is "dep" (it moved there in September 2025), with its own
// token path; using the generic dev.api host would fail.
import { environments as fromSpec } from "@nhs-app-api/contract";

export type EnvironmentName = keyof typeof fromSpec;

export interface Endpoints {
  /** The API base URL; operation paths are appended to it. */
  baseUrl: string;
  /** The OAuth 2.0 token endpoint; also the client assertion's `aud`. */
  tokenUrl: string;
}

export const environments: Readonly<Record<EnvironmentName, Readonly<Endpoints>>> = Object.freeze(
  Object.fromEntries(
    Object.entries(fromSpec).map(([name, { baseUrl, tokenUrl }]) => [name, Object.freeze({ baseUrl, tokenUrl })]),
  ) as Record<EnvironmentName, Readonly<Endpoints>>,
);

/** The platform's documented limit in dev and int: requests a second per application. */
export const DEV_AND_INT_REQUESTS_PER_SECOND: number = fromSpec.int.requestsPerSecond;
