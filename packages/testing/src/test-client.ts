// A client wired to a mock: the same keys, URLs and API key, and quick
// retries so that tests of error paths do not wait.
import { createNhsAppClient, type NhsAppClientOptions } from "@nhs-app-api/client";
import type { NhsAppMock } from "./handlers.js";

export function createTestClient(mock: NhsAppMock, overrides: Partial<NhsAppClientOptions> = {}) {
  return createNhsAppClient({
    environment: { baseUrl: mock.baseUrl, tokenUrl: mock.tokenUrl },
    apiKey: mock.apiKey,
    keyId: mock.keys.keyId,
    privateKey: mock.keys.privateKey,
    retry: { baseDelayMs: 1, maxDelayMs: 10 },
    ...overrides,
  });
}
