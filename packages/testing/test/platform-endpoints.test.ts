// The platform's _ping and _status, as the msw handlers and the sandbox
// answer them: no access token, _status only with the status key in
// `apikey` (else 401 with an empty text/plain body), HEAD as GET without the
// body, never rate limited, bodies valid against the spec.
import { AuthenticationError } from "@nhs-app-api/client";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestClient, exampleResponse, responseBodyIssues, SANDBOX_API_KEY, startSandbox } from "../src/index.js";
import { createNhsAppMock } from "../src/msw.js";

const PING = "/_ping";
const STATUS = "/_status";

interface Target {
  baseUrl: string;
  requests: readonly { operation: string }[];
}

/** The checks both stand-ins must pass, over fetch (msw intercepts it; the sandbox is reached over HTTP). */
function answersLikeThePlatform(target: () => Target, statusKey: () => string) {
  const get = (path: string, headers: Record<string, string> = {}, method = "GET") =>
    fetch(`${target().baseUrl}${path}`, { method, headers });

  it("answers _ping without credentials: 200, the spec's body, the correlation ID mirrored", async () => {
    const response = await get(PING, { "x-correlation-id": "ping-check" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("x-correlation-id")).toBe("ping-check");
    const body = await response.json();
    expect(responseBodyIssues("get-ping", 200, body)).toEqual([]);
    expect(body).toEqual(exampleResponse("get-ping", 200).body);
  });

  it("sends no correlation ID back when none was sent (not the spec's example one)", async () => {
    const response = await get(PING);
    expect(response.headers.get("x-correlation-id")).toBeNull();
  });

  it("answers _status with the status key: 200 pass, valid against the spec", async () => {
    const response = await get(STATUS, { apikey: statusKey(), "x-correlation-id": "status-check" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-correlation-id")).toBe("status-check");
    const body = (await response.json()) as { status: string };
    expect(responseBodyIssues("get-status", 200, body)).toEqual([]);
    expect(body.status).toBe("pass");
  });

  it("refuses _status without the status key, or with another, with 401 and an empty text/plain body", async () => {
    for (const headers of [{}, { apikey: "not-the-status-key" }, { authorization: "Bearer anything" }]) {
      const response = await get(STATUS, { ...headers, "x-correlation-id": "status-refused" });
      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toBe("text/plain");
      expect(await response.text()).toBe("");
      // A fault rule's answer: nothing mirrored.
      expect(response.headers.get("x-correlation-id")).toBeNull();
    }
  });

  it("answers HEAD as GET, with the headers and no body", async () => {
    const cases: [string, Record<string, string>, number][] = [
      [PING, {}, 200],
      [STATUS, { apikey: statusKey() }, 200],
      [STATUS, { apikey: "wrong" }, 401],
    ];
    for (const [path, headers, status] of cases) {
      const head = await get(path, headers, "HEAD");
      const full = await get(path, headers);
      expect(`HEAD ${path} ${head.status}`).toBe(`HEAD ${path} ${status}`);
      expect(await head.text()).toBe("");
      expect(head.headers.get("content-type")).toBe(full.headers.get("content-type"));
      expect(head.headers.get("content-length")).toBe(String(new TextEncoder().encode(await full.text()).length));
    }
  });

  it("records the calls under their operations", async () => {
    const before = target().requests.length;
    await get(PING);
    await get(STATUS, { apikey: statusKey() });
    expect(
      target()
        .requests.slice(before)
        .map((r) => r.operation),
    ).toEqual(["get-ping", "get-status"]);
  });

  it("answers other methods on them as unknown, as the platform routes only GET and HEAD there", async () => {
    const response = await get(PING, {}, "POST");
    expect(response.status).toBe(404);
  });
}

describe("the msw handlers' platform endpoints", () => {
  const mock = createNhsAppMock({ statusApiKey: "the-status-key", rateLimit: { requestsPerSecond: 1 } });
  const server = setupServer(...mock.handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterAll(() => server.close());

  answersLikeThePlatform(
    () => mock,
    () => "the-status-key",
  );

  it("are not counted by the platform's rate limits", async () => {
    for (let i = 0; i < 5; i++) {
      expect((await fetch(`${mock.baseUrl}${PING}`)).status).toBe(200);
    }
  });

  it("serve the client's ping() and status(), and its statusApiKey", async () => {
    const pinged = await createTestClient(mock).ping({ correlationId: "client-ping" });
    expect(pinged.correlationId).toBe("client-ping");
    expect(pinged.body).toEqual(exampleResponse("get-ping", 200).body);
    const status = await createTestClient(mock, { statusApiKey: "the-status-key" }).status();
    expect(status.passed).toBe(true);
    await expect(createTestClient(mock).status()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it("let a test choose _status's answer, by example name, for GET and HEAD alike", async () => {
    server.use(mock.respond("get-status", 200, { example: "fail" }));
    const status = await createTestClient(mock, { statusApiKey: "the-status-key" }).status();
    expect(status.passed).toBe(false);
    expect(status.body.checks["nhsa:status"][0]?.timeout).toBe("true");
    const head = await fetch(`${mock.baseUrl}${STATUS}`, { method: "HEAD", headers: { apikey: "the-status-key" } });
    expect(head.status).toBe(200);
    // The key is still checked before a chosen answer, as the platform checks it first.
    const refused = await fetch(`${mock.baseUrl}${STATUS}`, { headers: { apikey: "wrong" } });
    expect(refused.status).toBe(401);
    server.resetHandlers();
  });
});

describe("the sandbox's platform endpoints, over HTTP", () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, rateLimit: { requestsPerSecond: 1 } });
  });
  afterAll(() => sandbox?.stop());

  answersLikeThePlatform(
    () => ({ baseUrl: sandbox.baseUrl, requests: sandbox.gateway.requests }),
    () => SANDBOX_API_KEY,
  );

  it("serve the client's ping() and status() with the sandbox's key", async () => {
    const client = createTestClient({
      ...sandbox,
      keys: { keyId: sandbox.keyId, privateKey: sandbox.gateway.keys.privateKey },
    });
    expect((await client.ping()).status).toBe(200);
    expect((await client.status()).passed).toBe(true);
    expect(client.tokenRequestCount).toBe(0);
  });
});

describe("a sandbox given its own status key", () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, statusApiKey: "the-sandbox-status-key" });
  });
  afterAll(() => sandbox?.stop());

  answersLikeThePlatform(
    () => ({ baseUrl: sandbox.baseUrl, requests: sandbox.gateway.requests }),
    () => "the-sandbox-status-key",
  );

  it("says which key _status wants, and no longer takes the API key for it", async () => {
    expect(sandbox.statusApiKey).toBe("the-sandbox-status-key");
    const refused = await fetch(`${sandbox.baseUrl}${STATUS}`, { headers: { apikey: SANDBOX_API_KEY } });
    expect(refused.status).toBe(401);
  });

  it("wants the API key when none is given", async () => {
    const plain = await startSandbox({ port: 0 });
    try {
      expect(plain.statusApiKey).toBe(SANDBOX_API_KEY);
    } finally {
      await plain.stop();
    }
  });
});
