// A client wired to a mock: the same keys, URLs and API key, and quick
// retries so that tests of error paths do not wait.
import { createNhsAppClient, type NhsAppClientOptions } from "@nhs-app-api/client";
import type { TestKeys } from "./keys.js";

/** What a client needs to know of a stand-in API (an msw mock from `@nhs-app-api/testing/msw` has all of it). */
export interface TestTarget {
  baseUrl: string;
  tokenUrl: string;
  apiKey: string;
  keys: Pick<TestKeys, "keyId" | "privateKey">;
}

export function createTestClient(target: TestTarget, overrides: Partial<NhsAppClientOptions> = {}) {
  return createNhsAppClient({
    environment: { baseUrl: target.baseUrl, tokenUrl: target.tokenUrl },
    apiKey: target.apiKey,
    keyId: target.keys.keyId,
    privateKey: target.keys.privateKey,
    retry: { baseDelayMs: 1, maxDelayMs: 10 },
    ...overrides,
  });
}
