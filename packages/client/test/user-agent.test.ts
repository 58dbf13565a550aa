// Every request, token requests included, says which client sent it, as the
// server saw it on the socket; the caller's own product goes first.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigurationError } from "../src/index.js";
import { type LoopbackApi, startLoopbackApi } from "./loopback.js";
import { testClient } from "./support.js";

// Read here on its own, so the test does not trust the client's way of finding its version.
const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};
const ours = `nhs-app-api-client/${version} node/${process.versions.node}`;

let api: LoopbackApi;
beforeAll(async () => {
  api = await startLoopbackApi();
});
afterAll(() => api.close());

/** The User-Agent of each request received since `from`, as "METHOD path-start: agent". */
const agentsSince = (from: number) =>
  api.received
    .slice(from)
    .map(({ method, path, headers }) => `${method} ${path.split("?")[0]}: ${headers["user-agent"]}`);

describe("User-Agent", () => {
  it("is nhs-app-api-client/<version> node/<version> on the token request and the API request", async () => {
    const from = api.received.length;
    await api.client().getReceiptReport({ day: "2024-03-01" });
    expect(agentsSince(from)).toEqual([
      `POST /oauth2/token: ${ours}`,
      `GET /nhs-app/communication/report/receipts/FHIR/R4/Task: ${ours}`,
    ]);
  });

  it("puts the caller's product first, on every attempt and on the token request", async () => {
    const from = api.received.length;
    api.script.push({ status: 503, headers: { "content-type": "text/plain" }, body: "busy" });
    await api.client({ userAgent: "my-gp-system/2.3" }).raw.GET("/communication/report/patients", {
      params: { query: { "ods-organisation-code": "T00001" } },
    });
    const agent = `my-gp-system/2.3 ${ours}`;
    expect(agentsSince(from)).toEqual([
      `POST /oauth2/token: ${agent}`,
      `GET /nhs-app/communication/report/patients: ${agent}`,
      `GET /nhs-app/communication/report/patients: ${agent}`,
    ]);
  });

  it.each([[""], [" leading-space/1"], ["evil/1\r\nX-Injected: yes"], ["caf\u00e9/1"]])(
    "refuses userAgent %j before any request",
    (userAgent) => {
      expect(() => testClient({ userAgent })).toThrow(ConfigurationError);
      expect(() => testClient({ userAgent })).toThrow(/userAgent must be printable ASCII/);
    },
  );
});
