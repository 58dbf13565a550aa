// The OAuth 2.0 client-credentials exchange, as @nhs-app-api/client's token
// provider makes it: a form with the grant type, the assertion type and a
// signed JWT, and a response whose access_token, expires_in and token_type
// the client reads. Verified against spec/oauth/token.yaml like the API pact.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createNhsAppClient } from "@nhs-app-api/client";
import { createTestKeys } from "@nhs-app-api/testing";
import { MatchersV3, PactV4 } from "@pact-foundation/pact";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSUMER, providerStates, TOKEN_PROVIDER } from "../provider-states.ts";
import { pactDir, showingErrors } from "./support.ts";

const { like, regex } = MatchersV3;

/**
 * A form body, matched field by field. pact-js's `body()` sends any other
 * content type as binary, which Pact then compares as opaque bytes; the
 * interaction underneath takes the form as text, which Pact reads as a form.
 */
function formBody(builder: object, form: URLSearchParams) {
  const interaction = (builder as unknown as { interaction: { withRequestBody(body: string, type: string): void } })
    .interaction;
  interaction.withRequestBody(form.toString(), "application/x-www-form-urlencoded");
}
const JWT = "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$";
const keys = createTestKeys("token-contract-key");

// The API call that needs the token goes to a stand-in on this machine: only the token exchange is under test here.
let api: Server;
let apiUrl: string;
beforeAll(async () => {
  api = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end("[]");
  });
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}/nhs-app`;
});
afterAll(() => new Promise<void>((resolve) => api.close(() => resolve())));

describe("the token exchange", () => {
  it("sends a client-credentials form with a signed assertion and reads the bearer token", async () => {
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: "eyJhbGciOiJSUzUxMiJ9.eyJpc3MiOiJhcGkta2V5In0.c2lnbmF0dXJl",
    });
    await new PactV4({ consumer: CONSUMER, provider: TOKEN_PROVIDER, dir: pactDir, logLevel: "error" })
      .addInteraction()
      .given(providerStates.tokenIssued.name)
      .uponReceiving("a client-credentials request with a signed JWT assertion")
      .withRequest("POST", "/token", (builder) => {
        builder.headers({ "Content-Type": "application/x-www-form-urlencoded" });
        formBody(builder, form);
        // The grant and assertion types are fixed; the assertion is a new JWT every time.
        builder.matchingRules({ body: { path: "$.client_assertion", rules: [regex(new RegExp(JWT), "x.y.z")] } });
      })
      .willRespondWith(200, (builder) => {
        builder.headers({ "Content-Type": regex(/^application\/json(;.*)?$/, "application/json") }).jsonBody({
          access_token: like("Sr5PGv19wTEHJdDr2wx2f7IGd0cw"),
          expires_in: like("599"),
          token_type: "Bearer",
        });
      })
      .executeTest(
        showingErrors(async (server) => {
          const client = createNhsAppClient({
            environment: { baseUrl: apiUrl, tokenUrl: `${server.url}/token` },
            apiKey: "contract-test",
            keyId: keys.keyId,
            privateKey: keys.privateKey,
            retry: { maxAttempts: 1 },
          });
          await client.getPatientReport({ odsCode: "A12345" });
          expect(client.tokenRequestCount).toBe(1);
        }),
      );
  });
});
