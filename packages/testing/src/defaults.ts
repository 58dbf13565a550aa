// Where the msw handlers answer unless told otherwise. Kept apart from the
// handlers so that the main entry point can export them without importing msw.
import { environments } from "@nhs-app-api/contract";

// The integration environment's paths on a loopback port nothing listens on: msw answers before any connection.
export const DEFAULT_BASE_URL = `http://127.0.0.1:9${new URL(environments.int.baseUrl).pathname}`;
export const DEFAULT_TOKEN_URL = `http://127.0.0.1:9${new URL(environments.int.tokenUrl).pathname}`;
export const DEFAULT_API_KEY = "test-api-key";
