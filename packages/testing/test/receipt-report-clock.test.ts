// The gateway's clock decides which days' receipt reports are complete (the
// platform's rule: from the next day, UTC) and which are still to come (404,
// as the live API answers a day with no report); `GET /_sandbox/clock` tells
// tools that ask over HTTP, on the sandbox and through the msw handlers alike.
import { inAppMessage, NotFoundError } from "@nhs-app-api/client";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createTestClient,
  exampleResponse,
  type Sandbox,
  type SandboxClock,
  startSandbox,
  testNhsNumber,
} from "../src/index.js";
import { createNhsAppMock } from "../src/msw.js";

const RECEIPTS = "/communication/report/receipts/FHIR/R4/Task";
const RULE = "a day's receipts report is complete from the next day (UTC)";

let clock = Date.parse("2026-03-01T23:59:59.999Z");
const mock = createNhsAppMock({ now: () => clock });
const server = setupServer(...mock.handlers);
let sandbox: Sandbox;
let sandboxClock = Date.parse("2030-06-15T08:00:00.000Z");

beforeAll(async () => {
  // The sandbox is a real server: its requests go by; anything else msw did not answer is an error.
  server.listen({
    onUnhandledRequest: (request, print) => {
      if (!sandbox || originOf(request.url) !== originOf(sandbox.baseUrl)) print.error();
    },
  });
  sandbox = await startSandbox({ port: 0, now: () => sandboxClock });
});
afterEach(() => {
  mock.requests.length = 0;
  mock.gateway.clearCreatedMessages();
});
afterAll(async () => {
  server.close();
  await sandbox?.stop();
});

const originOf = (url: string) => new URL(url).origin;

describe("the gateway's receipt report calendar", () => {
  it("calls a day's report complete from 00:00 UTC of the next day, by its own clock", () => {
    clock = Date.parse("2026-03-01T23:59:59.999Z");
    expect(mock.gateway.now()).toBe(clock);
    expect(mock.gateway.receiptReportComplete("2026-02-28")).toBe(true);
    expect(mock.gateway.receiptReportComplete("2026-03-01")).toBe(false);
    clock += 1;
    expect(mock.gateway.receiptReportComplete("2026-03-01")).toBe(true);
    expect(mock.gateway.receiptReportComplete("2026-03-02")).toBe(false);
    expect(mock.gateway.receiptReportComplete("not a day")).toBe(false);
    expect(mock.gateway.clock()).toEqual({
      now: "2026-03-02T00:00:00.000Z",
      receiptReports: { completeBefore: "2026-03-02", rule: RULE },
    });
  });

  it("answers a day to come with the API's 404 report-not-found, today and earlier days with a report", async () => {
    clock = Date.parse("2026-03-01T12:00:00.000Z");
    const client = createTestClient(mock);
    const notFound = exampleResponse("get-receipt-report", 404, "report-not-found").body;
    // Without a token the gateway says 401 first: the calendar is the API's, behind its gate.
    expect((await fetch(`${mock.baseUrl}${RECEIPTS}?day=2026-03-02`)).status).toBe(401);
    await expect(client.getReceiptReport({ day: "2026-03-02" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.getReceiptReport({ day: "2099-12-31" })).rejects.toBeInstanceOf(NotFoundError);
    const future = await client.raw.GET(RECEIPTS, { params: { query: { day: "2026-03-02" } } });
    expect(future.response.status).toBe(404);
    expect(future.error).toEqual(notFound);
    expect((await client.getReceiptReport({ day: "2026-03-01" })).status).toBe(200);
    expect((await client.getReceiptReport({ day: "2024-03-01" })).status).toBe(200);
    // Once the clock reaches that day, its report is there.
    clock = Date.parse("2026-03-02T00:00:00.000Z");
    expect((await client.getReceiptReport({ day: "2026-03-02" })).status).toBe(200);
  });

  it("lists a message's receipts from its day on, and no day after the clock", async () => {
    clock = Date.parse("2026-03-01T10:00:00.000Z");
    const client = createTestClient(mock);
    const sent = await client.sendInAppMessage(
      inAppMessage({ nhsNumber: testNhsNumber(1), odsCode: "B82041", text: "Hi" }),
    );
    clock += 60_000;
    const today = await client.getReceiptReport({ day: "2026-03-01" });
    expect(today.items.length).toBeGreaterThan(0);
    expect(JSON.stringify(today.items)).toContain(sent.communicationId);
    await expect(client.getReceiptReport({ day: "2026-03-02" })).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("GET {origin}/_sandbox/clock", () => {
  it("on the sandbox: its clock and the first day whose report is incomplete, with no token, not recorded", async () => {
    const before = sandbox.gateway.requests.length;
    expect(sandbox.clockUrl).toBe(`${originOf(sandbox.baseUrl)}/_sandbox/clock`);
    const response = await fetch(sandbox.clockUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    const body = (await response.json()) as SandboxClock;
    // The workbench's clock view: the SandboxClock fields, and more (its speed, whether it may be moved, the quiet hours).
    expect(body).toMatchObject({
      now: "2030-06-15T08:00:00.000Z",
      receiptReports: { completeBefore: "2030-06-15", rule: RULE },
      speed: 1,
      adjustable: false,
      pushQuietHours: { now: false, rule: expect.stringContaining("22:00") },
    });
    expect(sandbox.gateway.requests.length).toBe(before);
  });

  it("on the sandbox: follows a clock that moves, on every read", async () => {
    sandboxClock = Date.parse("2030-06-15T23:59:59.999Z");
    const first = (await (await fetch(sandbox.clockUrl)).json()) as SandboxClock;
    sandboxClock += 1;
    const second = (await (await fetch(sandbox.clockUrl)).json()) as SandboxClock;
    expect([first.receiptReports.completeBefore, second.receiptReports.completeBefore]).toEqual([
      "2030-06-15",
      "2030-06-16",
    ]);
    sandboxClock = Date.parse("2030-06-15T08:00:00.000Z");
  });

  it("on the sandbox: another /_sandbox/ path is 404 with an OperationOutcome; another method 405", async () => {
    const origin = originOf(sandbox.baseUrl);
    const unknown = await fetch(`${origin}/_sandbox/time`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toBe("application/fhir+json");
    expect(await unknown.json()).toEqual({
      resourceType: "OperationOutcome",
      issue: [
        {
          severity: "error",
          code: "not-found",
          diagnostics: "No such sandbox control: GET /_sandbox/time (see CONTROL-API.md; the page is GET /_sandbox/)",
        },
      ],
    });
    const put = await fetch(sandbox.clockUrl, { method: "PUT", body: "{}" });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, POST");
    // This sandbox's clock is the test's `now`: the control API cannot move it.
    const posted = await fetch(sandbox.clockUrl, { method: "POST", body: JSON.stringify({ advance: "1h" }) });
    expect(posted.status).toBe(409);
    // Under the base path it is no control: the API's own 404.
    expect((await fetch(`${sandbox.baseUrl}/_sandbox/clock`)).status).toBe(404);
  });

  it("through the msw handlers too, on the mock's origin", async () => {
    clock = Date.parse("2026-03-02T00:00:00.000Z");
    const response = await fetch(`${originOf(mock.baseUrl)}/_sandbox/clock`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      now: "2026-03-02T00:00:00.000Z",
      receiptReports: { completeBefore: "2026-03-02", rule: RULE },
      adjustable: false,
    });
    expect((await fetch(`${originOf(mock.baseUrl)}/_sandbox/nothing`)).status).toBe(404);
    expect(mock.requests).toEqual([]);
  });
});
