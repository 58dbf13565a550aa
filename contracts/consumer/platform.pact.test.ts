// How @nhs-app-api/client asks the platform's own endpoints: `_ping` with no
// credentials at all, `_status` with the status key in `apikey` and no
// access token (so no Authorization header is in either pact request), and
// the platform's refusal of a wrong key, an empty 401, as an
// AuthenticationError.
import { AuthenticationError } from "@nhs-app-api/client";
import { MatchersV3 } from "@pact-foundation/pact";
import { describe, expect, it } from "vitest";
import { providerStates } from "../provider-states.ts";
import { correlationHeader, json } from "./shapes.ts";
import { clientFor, newPact, showingErrors, useTokenEndpoint } from "./support.ts";

useTokenEndpoint();

const { like, eachLike, regex } = MatchersV3;

const release = {
  version: like("v1.0.132-beta"),
  revision: like("132"),
  releaseId: like("13579"),
  commitId: like("23cd12327b53c0a3b1c8a5f4e1d2c3b4a5968778"),
};
/** The key is the platform's to check: any value will do in the pact. */
const statusKey = (key: string) => ({ apikey: regex(/^\S+$/, key) });

describe("the platform's endpoints", () => {
  it("pings the API's proxy with no credentials and reads the release", async () => {
    await newPact()
      .addInteraction()
      .given(providerStates.proxyUp.name)
      .uponReceiving("a ping of the API's proxy")
      .withRequest("GET", "/_ping", (builder) => {
        builder.headers({ ...correlationHeader });
      })
      .willRespondWith(200, (builder) => {
        builder.headers({ ...correlationHeader, ...json }).jsonBody(release);
      })
      .executeTest(
        showingErrors(async (server) => {
          const client = clientFor(server.url);
          const pinged = await client.ping();
          expect(typeof pinged.body.version).toBe("string");
          expect(client.tokenRequestCount).toBe(0);
        }),
      );
  });

  it("asks the status with the status key and reads whether the checks passed", async () => {
    await newPact()
      .addInteraction()
      .given(providerStates.statusPasses.name)
      .uponReceiving("a status request with the status key")
      .withRequest("GET", "/_status", (builder) => {
        builder.headers({ ...statusKey("contract-status-key"), ...correlationHeader });
      })
      .willRespondWith(200, (builder) => {
        builder.headers({ ...correlationHeader, ...json }).jsonBody({
          status: regex(/^(pass|fail)$/, "pass"),
          ...release,
          checks: {
            "nhsa:status": eachLike({
              status: regex(/^(pass|fail)$/, "pass"),
              timeout: regex(/^(true|false)$/, "false"),
              responseCode: like(200),
              outcome: like("OK"),
              links: { self: like("https://nhs-app.example/health-check") },
            }),
          },
        });
      })
      .executeTest(
        showingErrors(async (server) => {
          const client = clientFor(server.url, { statusApiKey: "contract-status-key" });
          const status = await client.status();
          expect(status.passed).toBe(true);
          expect(status.body.checks["nhsa:status"]).toHaveLength(1);
          expect(client.tokenRequestCount).toBe(0);
        }),
      );
  });

  it("meets a refused status key as an AuthenticationError", async () => {
    await newPact()
      .addInteraction()
      .given(providerStates.statusKeyRefused.name)
      .uponReceiving("a status request with a key that is not the status key")
      .withRequest("GET", "/_status", (builder) => {
        builder.headers({ ...statusKey("not-the-status-key"), ...correlationHeader });
      })
      .willRespondWith(401)
      .executeTest(
        showingErrors(async (server) => {
          const error = await clientFor(server.url, { statusApiKey: "not-the-status-key" })
            .status()
            .catch((e: unknown) => e);
          expect(error).toBeInstanceOf(AuthenticationError);
          expect((error as AuthenticationError).status).toBe(401);
        }),
      );
  });
});
