// What every consumer test needs: the pact, written to contracts/pacts, and
// a real @nhs-app-api/client pointed at the Pact mock server. Tokens come
// from the repository's one token endpoint (the platform's rules, from
// @nhs-app-api/testing), served by msw outside the pact (the token exchange
// has its own contract), and numbered token-1, token-2, ... so the pact's
// Authorization headers are predictable.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createNhsAppClient, type NhsAppClientOptions } from "@nhs-app-api/client";
import { createNhsAppMock } from "@nhs-app-api/testing/msw";
import { PactV4 } from "@pact-foundation/pact";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { CONSUMER, PROVIDER } from "../provider-states.ts";

// `pnpm contracts` points the writers at a scratch folder and copies the pacts
// into contracts/pacts only when every consumer test passed, so a failing run
// never leaves the committed pacts deleted or half-written.
export const pactDir =
  process.env.NHS_APP_PACT_OUTPUT_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../pacts");

export const newPact = () => new PactV4({ consumer: CONSUMER, provider: PROVIDER, dir: pactDir, logLevel: "error" });

let issued = 0;
const platform = createNhsAppMock({
  tokenUrl: "http://127.0.0.1:9/oauth2/token",
  apiKey: "contract-test",
  newAccessToken: () => `token-${++issued}`,
});
const tokens = setupServer(platform.tokenHandler);

export function useTokenEndpoint() {
  beforeAll(() => tokens.listen({ onUnhandledRequest: "bypass" }));
  beforeEach(() => {
    issued = 0;
  });
  afterAll(() => tokens.close());
}

export function clientFor(mockServerUrl: string, overrides: Partial<NhsAppClientOptions> = {}) {
  return createNhsAppClient({
    environment: { baseUrl: mockServerUrl, tokenUrl: platform.tokenUrl },
    apiKey: platform.apiKey,
    keyId: platform.keys.keyId,
    privateKey: platform.keys.privateKey,
    retry: { maxAttempts: 1 },
    ...overrides,
  });
}

export const NHS_NUMBER = "9692113841";
export const ODS_CODE = "B82041";

// The Pact mock server (pact_mock_server 2.2 inside @pact-foundation/pact-core
// 19) answers a request before it records the match: the handler queues the
// result on a channel that another task drains. Under CPU contention
// executeTest can ask "was everything received?" before that task has run and
// report "expected but not received" for a request that was answered
// (pact-foundation/pact-core-mock-server#13). So, after a test body that
// passed, wait until the mock server has recorded every expected request, or
// until a deadline, past which Pact reports what is missing as before. The
// query is the FFI's, keyed by port; pact-js keeps its handle private.
type MockServerState = { mockServerMatchedSuccessfully(port: number): boolean };
const mockServers = (newPact() as unknown as { pact: MockServerState }).pact;

export const recorded =
  <Server extends { port: number }>(test: (server: Server) => Promise<void>, deadlineMs = 2_000) =>
  async (server: Server): Promise<void> => {
    await test(server);
    const deadline = Date.now() + deadlineMs;
    while (!mockServers.mockServerMatchedSuccessfully(server.port) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };

/**
 * Wraps a pact test body so that its own failure is printed: Pact's
 * executeTest reports only the mock server's mismatches ("expected but not
 * received"), which hides why the client stopped.
 */
export const showingErrors =
  <Server extends { port: number }>(test: (server: Server) => Promise<void>) =>
  async (server: Server): Promise<void> => {
    try {
      await recorded(test)(server);
    } catch (error) {
      console.error("The test's own failure, before Pact's mismatch report:", error);
      throw error;
    }
  };
