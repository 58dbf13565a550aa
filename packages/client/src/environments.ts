// The NHS App API's environments and their token endpoints. The development
// environment is "dep" (it moved there in September 2025), with its own token
// path; using the generic dev.api host would fail.

export type EnvironmentName = "dev" | "int" | "prod";

export interface Endpoints {
  /** The API base URL; operation paths are appended to it. */
  baseUrl: string;
  /** The OAuth 2.0 token endpoint; also the client assertion's `aud`. */
  tokenUrl: string;
}

export const environments: Readonly<Record<EnvironmentName, Readonly<Endpoints>>> = Object.freeze({
  dev: {
    baseUrl: "https://dep.api.service.nhs.uk/nhs-app-dep",
    tokenUrl: "https://dep.api.service.nhs.uk/oauth2-dep/token",
  },
  int: {
    baseUrl: "https://int.api.service.nhs.uk/nhs-app",
    tokenUrl: "https://int.api.service.nhs.uk/oauth2/token",
  },
  prod: {
    baseUrl: "https://api.service.nhs.uk/nhs-app",
    tokenUrl: "https://api.service.nhs.uk/oauth2/token",
  },
});

/** The platform's documented limit in dev and int: 20 requests a second per application. */
export const DEV_AND_INT_REQUESTS_PER_SECOND = 20;
