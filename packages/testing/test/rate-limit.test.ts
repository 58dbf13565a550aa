import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createNhsAppClient, inAppMessage, RateLimitError } from "@nhs-app-api/client";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  createTestClient,
  exampleResponse,
  freePort,
  INTEGRATION_RATE_LIMIT,
  responseBodyIssues,
  type Sandbox,
  startSandbox,
  testNhsNumber,
} from "../src/index.js";
import { createNhsAppMock } from "../src/msw.js";

const T0 = Date.parse("2026-03-02T10:00:00.000Z");
const message = (n: number) =>
  inAppMessage({ nhsNumber: testNhsNumber(n), odsCode: "B82041", text: "Hello", requestId: `batch-${n}` });

const sandboxes: Sandbox[] = [];
async function sandboxWith(options: Parameters<typeof startSandbox>[0]) {
  const sandbox = await startSandbox({ port: 0, ...options });
  sandboxes.push(sandbox);
  // No retries: a 429 must reach the test, not be retried away by the client.
  const client = createNhsAppClient({
    environment: { baseUrl: sandbox.baseUrl, tokenUrl: sandbox.tokenUrl },
    apiKey: sandbox.apiKey,
    keyId: sandbox.keyId,
    privateKey: sandbox.privateKeyPem,
    retry: { maxAttempts: 1 },
  });
  return { sandbox, client };
}
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.stop()));
});

// One msw server for this file; each test serves its own mock (all on the default base URL).
const server = setupServer();
const serve = (mock: ReturnType<typeof createNhsAppMock>) => server.resetHandlers(...mock.handlers);
// The sandboxes' real HTTP requests pass through untouched.
beforeAll(() => server.listen({ onUnhandledRequest: "bypass" }));
afterAll(() => server.close());
afterEach(() => {
  vi.useRealTimers();
});

describe("rate limits", () => {
  it("are off by default: 60 messages at one instant are all accepted", async () => {
    const mock = createNhsAppMock({ now: () => T0 });
    serve(mock);
    const client = createTestClient(mock, { retry: { maxAttempts: 1 } });
    const sent = await Promise.all(Array.from({ length: 60 }, (_, n) => client.sendInAppMessage(message(n))));
    expect(sent.every((s) => s.status === 201)).toBe(true);
    expect(mock.createdMessages).toHaveLength(60);
  });

  it("let a client sending exactly at the limit, evenly spaced, through with no 429 (sandbox, int's limits, 20 a second for 3 s)", async () => {
    let clock = T0;
    const { sandbox, client } = await sandboxWith({ rateLimit: INTEGRATION_RATE_LIMIT, now: () => clock });
    for (let n = 0; n < 60; n++) {
      clock = T0 + n * 50;
      await client.sendInAppMessage(message(n)); // throws on any 429
    }
    expect(sandbox.createdMessages.map((m) => m.requestReference)).toEqual(
      Array.from({ length: 60 }, (_, n) => `batch-${n}`),
    );
    // One more at the same instant is the 21st in the last second: refused, and not recorded.
    const refused = await client.sendInAppMessage(message(60)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitError);
    expect((refused as RateLimitError).limit).toBe("spike-arrest");
    expect(sandbox.createdMessages).toHaveLength(60);
  });

  it("refuse the 21st call of a client a little faster than 20 a second (47 ms apart)", async () => {
    let clock = T0;
    const mock = createNhsAppMock({ rateLimit: { requestsPerSecond: 20 }, now: () => clock });
    serve(mock);
    const client = createTestClient(mock, { retry: { maxAttempts: 1 } });
    const outcomes: string[] = [];
    for (let n = 0; n < 22; n++) {
      clock = T0 + n * 47;
      outcomes.push(
        await client.sendInAppMessage(message(n)).then(
          () => "201",
          (e: unknown) => (e instanceof RateLimitError ? e.limit : String(e)),
        ),
      );
    }
    // The 21st (at 940 ms) has 20 accepted calls in (-60 ms, 940 ms]; the 22nd (987 ms) likewise.
    expect(outcomes).toEqual([...Array(20).fill("201"), "spike-arrest", "spike-arrest"]);
    expect(mock.createdMessages).toHaveLength(20);
  });

  it("answer a burst with the spec's spike-arrest 429 (no Retry-After) and record only what they let through (sandbox, its default clock)", async () => {
    const { sandbox, client } = await sandboxWith({ rateLimit: { requestsPerSecond: 3 } });
    // The sandbox's default clock is performance.now(): faked here, it stands still, so the eight arrive
    // within the same second however busy the machine.
    vi.useFakeTimers({ toFake: ["performance"] });
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, n) => client.sendInAppMessage(message(n))));
    const accepted = results.flatMap((r) => (r.status === "fulfilled" ? [r.value.communicationId] : []));
    const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
    expect(accepted).toHaveLength(3);
    expect(refused).toHaveLength(5);
    for (const error of refused) expect(error).toMatchObject({ kind: "rate-limit", limit: "spike-arrest" });
    expect(sandbox.createdMessages.map((m) => m.communicationId).sort()).toEqual([...accepted].sort());

    // On the wire, as the platform's proxy sends it.
    const token = sandbox.issuer.issued.at(-1)?.accessToken;
    const raw = await fetch(`${sandbox.baseUrl}/communication/in-app/FHIR/R4/CommunicationRequest`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "x-correlation-id": "burst" },
      body: JSON.stringify(message(99)),
    });
    expect(raw.status).toBe(429);
    expect(raw.headers.get("retry-after")).toBeNull();
    expect(raw.headers.get("content-type")).toBe("application/json");
    const body = await raw.json();
    expect(body).toEqual(exampleResponse("create-in-app", 429, "exceeded-spike-arrest").body);
    expect(responseBodyIssues("create-in-app", 429, body)).toEqual([]);
    expect(sandbox.createdMessages).toHaveLength(3);
  });

  it("answer over the per-minute quota with the spec's quota body, count API calls only (not tokens), and lift a minute later", async () => {
    let clock = T0;
    const mock = createNhsAppMock({ rateLimit: { requestsPerMinute: 3 }, now: () => clock });
    serve(mock);
    const first = createTestClient(mock, { retry: { maxAttempts: 1 } });
    await first.sendInAppMessage(message(1));
    clock = T0 + 1_000;
    await first.getReceiptReport({ day: "2026-03-01" }); // a report is an API call too
    clock = T0 + 2_000;
    await first.sendInAppMessage(message(2));

    clock = T0 + 30_000;
    const quota = await first.sendInAppMessage(message(3)).catch((e: unknown) => e);
    expect(quota).toMatchObject({ kind: "rate-limit", limit: "quota-app", status: 429 });
    // A second client still gets its token: the token endpoint is not counted, nor limited.
    const second = createTestClient(mock, { retry: { maxAttempts: 1 } });
    const { response, error } = await second.raw.GET("/communication/report/receipts/FHIR/R4/Task", {
      params: { query: { day: "2026-03-01" } },
    });
    expect(response.status).toBe(429);
    expect(error).toEqual(exampleResponse("get-receipt-report", 429, "exceeded-quota-per-app").body);
    expect(mock.requests.filter((r) => r.operation === "token")).toHaveLength(2);

    clock = T0 + 60_000; // the first call is now a minute old: out of the window
    await expect(first.sendInAppMessage(message(4))).resolves.toMatchObject({ status: 201 });
    clock = T0 + 60_500; // 1 s, 2 s and 60 s are in (0.5 s, 60.5 s]: full again
    await expect(first.sendInAppMessage(message(5))).rejects.toMatchObject({ limit: "quota-app" });
    expect(mock.createdMessages.map((m) => m.requestReference)).toEqual(["batch-1", "batch-2", "batch-4"]);
  });

  it("refuse settings that are not whole numbers of at least 1", () => {
    expect(() => createNhsAppMock({ rateLimit: { requestsPerSecond: 0 } })).toThrow(RangeError);
    expect(() => createNhsAppMock({ rateLimit: { requestsPerMinute: 2.5 } })).toThrow(
      "rateLimit.requestsPerMinute must be a whole number of at least 1 (it is 2.5)",
    );
    expect(() => createNhsAppMock({ rateLimit: {} })).not.toThrow();
    expect(INTEGRATION_RATE_LIMIT).toEqual({ requestsPerSecond: 20, requestsPerMinute: 1200 });
  });

  it("stop a sandbox with a bad setting from starting, leaving its port free and no private key behind", async () => {
    const port = await freePort();
    const scratch = mkdtempSync(path.join(tmpdir(), "sandbox-rate-limit-test-"));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = scratch;
    try {
      await expect(startSandbox({ port, rateLimit: { requestsPerSecond: -1 } })).rejects.toThrow(RangeError);
      expect(readdirSync(scratch)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      rmSync(scratch, { recursive: true, force: true });
    }
    const again = await startSandbox({ port });
    await again.stop();
  });
});
