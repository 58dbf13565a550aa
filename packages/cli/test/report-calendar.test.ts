// Which days' receipts reports are complete, as the environment says: the
// platform's rule on dev, int and prod; a sandbox's own clock when it
// answers GET /_sandbox/clock; the platform's rule again for whatever does
// not (a 404, another shape, a redirect, silence, nothing listening).
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isReceiptReportComplete, utcDayOf } from "@nhs-app-api/contract";
import { type Sandbox, startSandbox, SANDBOX_CLOCK_PATH as TESTING_CLOCK_PATH } from "@nhs-app-api/testing";
import { afterEach, describe, expect, it } from "vitest";
import { reportCalendar, SANDBOX_CLOCK_PATH } from "../src/lib/report-calendar.ts";

const DAY_MS = 86_400_000;
const LOCAL_NOW = Date.parse("2026-03-02T00:00:00.000Z");
const localClock = { now: () => LOCAL_NOW };

const started: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((thing) => thing.stop()));
});

async function sandboxAt(now: () => number): Promise<Sandbox> {
  const sandbox = await startSandbox({ port: 0, now });
  started.push(sandbox);
  return sandbox;
}

/** A plain HTTP server on 127.0.0.1 that answers as told, and remembers what it was asked. */
async function plainServer(answer: (request: IncomingMessage, response: ServerResponse) => void) {
  const asked: IncomingMessage[] = [];
  const server: Server = createServer((request, response) => {
    asked.push(request);
    answer(request, response);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  started.push({
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  });
  return { origin, asked, baseUrl: `${origin}/nhs-app`, tokenUrl: `${origin}/oauth2/token` };
}

/** A port nothing listens on: taken, then given back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The verdicts of a calendar on some days, in order. */
const verdicts = async (isReportComplete: (day: string) => Promise<boolean>, days: string[]) =>
  Promise.all(days.map((day) => isReportComplete(day)));

describe("the receipts report calendar of a named environment", () => {
  for (const environment of ["dev", "int", "prod"]) {
    it(`${environment}: the platform's rule by this machine's clock, asking no one`, async () => {
      const calendar = reportCalendar({ environment }, localClock);
      expect(calendar.clockUrl).toBeUndefined();
      expect(
        await verdicts(calendar.isReportComplete, ["2026-02-28", "2026-03-01", "2026-03-02", "2026-03-03"]),
      ).toEqual([true, true, false, false]);
      expect(await calendar.isReportComplete("2026-02-30")).toBe(false);
    });
  }

  it("with no environment and no base URL: the platform's rule (connecting will say what is missing)", async () => {
    const calendar = reportCalendar({}, localClock);
    expect(calendar.clockUrl).toBeUndefined();
    expect(await verdicts(calendar.isReportComplete, ["2026-03-01", "2026-03-02"])).toEqual([true, false]);
  });
});

describe("the receipts report calendar of a sandbox", () => {
  it("asks the sandbox's origin, where the testing package serves its clock", () => {
    expect(SANDBOX_CLOCK_PATH).toBe(TESTING_CLOCK_PATH);
    expect(reportCalendar({ environment: "sandbox" }).clockUrl).toBe("http://127.0.0.1:4010/_sandbox/clock");
    expect(
      reportCalendar({ environment: "sandbox", baseUrl: "http://127.0.0.1:4555/nhs-app", tokenUrl: "x" }).clockUrl,
    ).toBe("http://127.0.0.1:4555/_sandbox/clock");
    // User info in a base URL is a secret of sorts: it never goes to the clock.
    expect(reportCalendar({ baseUrl: "http://user:secret@127.0.0.1:4555/nhs-app" }).clockUrl).toBe(
      "http://127.0.0.1:4555/_sandbox/clock",
    );
    expect(reportCalendar({ baseUrl: "not a url" }).clockUrl).toBeUndefined();
  });

  it("a sandbox clock ahead of this machine's: the sandbox decides, days this machine thinks still to come included", async () => {
    const sandbox = await sandboxAt(() => Date.parse("2030-06-15T08:00:00.000Z"));
    const calendar = reportCalendar({ environment: "sandbox", baseUrl: sandbox.baseUrl }, localClock);
    expect(calendar.clockUrl).toBe(sandbox.clockUrl);
    expect(await verdicts(calendar.isReportComplete, ["2026-03-01", "2030-06-14", "2030-06-15", "2030-06-16"])).toEqual(
      [true, true, false, false],
    );
    expect(isReceiptReportComplete("2030-06-14", LOCAL_NOW)).toBe(false);
    expect(await calendar.isReportComplete("2030-02-30")).toBe(false);
  });

  it("a sandbox clock behind this machine's: a day this machine thinks complete is not, until the sandbox's clock passes it", async () => {
    const sandbox = await sandboxAt(() => Date.parse("2024-03-01T12:00:00.000Z"));
    const calendar = reportCalendar({ environment: "sandbox", baseUrl: sandbox.baseUrl }, localClock);
    expect(await verdicts(calendar.isReportComplete, ["2024-02-29", "2024-03-01", "2026-02-01"])).toEqual([
      true,
      false,
      false,
    ]);
    expect(isReceiptReportComplete("2026-02-01", LOCAL_NOW)).toBe(true);
  });

  it("follows a sandbox clock that moves: every question is asked anew", async () => {
    let clock = Date.parse("2030-06-15T23:59:59.999Z");
    const sandbox = await sandboxAt(() => clock);
    const { isReportComplete } = reportCalendar({ environment: "sandbox", baseUrl: sandbox.baseUrl }, localClock);
    expect(await isReportComplete("2030-06-15")).toBe(false);
    clock += 1;
    expect(await isReportComplete("2030-06-15")).toBe(true);
    expect(await isReportComplete("2030-06-16")).toBe(false);
    clock += DAY_MS;
    expect(await isReportComplete("2030-06-16")).toBe(true);
  });

  it("a sandbox on the real clock: the day before yesterday complete, tomorrow not, today not (the platform's rule)", async () => {
    const sandbox = await sandboxAt(Date.now);
    const { isReportComplete } = reportCalendar({ environment: "sandbox", baseUrl: sandbox.baseUrl });
    const before = Date.now();
    const [earlier, today, tomorrow] = await verdicts(isReportComplete, [
      utcDayOf(before - 2 * DAY_MS),
      utcDayOf(before),
      utcDayOf(before + DAY_MS),
    ]);
    expect([earlier, tomorrow]).toEqual([true, false]);
    // Unless midnight UTC passed while asking.
    if (utcDayOf(Date.now()) === utcDayOf(before)) expect(today).toBe(false);
  });

  it("an explicit --base-url with no environment: asked too, since a sandbox elsewhere may be behind it", async () => {
    const sandbox = await sandboxAt(() => Date.parse("2030-06-15T08:00:00.000Z"));
    const calendar = reportCalendar({ baseUrl: sandbox.baseUrl, tokenUrl: sandbox.tokenUrl }, localClock);
    expect(await verdicts(calendar.isReportComplete, ["2030-06-14", "2030-06-15"])).toEqual([true, false]);
    // And with a named environment whose base URL it replaces.
    const replaced = reportCalendar({ environment: "int", baseUrl: sandbox.baseUrl }, localClock);
    expect(await replaced.isReportComplete("2030-06-14")).toBe(true);
  });
});

describe("the receipts report calendar where no sandbox clock answers: the platform's rule by this machine's clock", () => {
  const platform = ["2026-03-01", "2026-03-02", "2030-06-14"];
  const platformVerdicts = [true, false, false];

  it("a server that answers 404 (a real gateway's answer), asked with no credentials", async () => {
    const server = await plainServer((_request, response) => {
      response.writeHead(404, { "content-type": "application/fhir+json" });
      response.end('{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found"}]}');
    });
    const flags = { environment: "sandbox", baseUrl: server.baseUrl, apiKey: "a-secret-key", keyId: "k" };
    const { isReportComplete } = reportCalendar(flags, localClock);
    expect(await verdicts(isReportComplete, platform)).toEqual(platformVerdicts);
    expect(server.asked.length).toBe(platform.length);
    for (const request of server.asked) {
      expect([request.method, request.url]).toEqual(["GET", "/_sandbox/clock"]);
      expect(request.headers.authorization).toBeUndefined();
      expect(JSON.stringify(request.headers)).not.toContain("a-secret-key");
    }
  });

  const garbage: [string, (response: ServerResponse) => void][] = [
    ["text that is no JSON", (r) => r.writeHead(200, { "content-type": "text/plain" }).end("the time is now")],
    ["JSON of another shape", (r) => r.writeHead(200, { "content-type": "application/json" }).end('{"now":"x"}')],
    [
      "a completeBefore that is no calendar date",
      (r) => r.writeHead(200).end('{"receiptReports":{"completeBefore":"2031-02-30"}}'),
    ],
    ["a JSON array", (r) => r.writeHead(200).end('[{"receiptReports":{"completeBefore":"2031-01-01"}}]')],
    [
      "the right body with another status",
      (r) => r.writeHead(500).end('{"receiptReports":{"completeBefore":"2031-01-01"}}'),
    ],
    ["a redirect", (r) => r.writeHead(302, { location: "https://example.invalid/login" }).end()],
  ];
  for (const [what, answer] of garbage) {
    it(`a server that answers ${what}`, async () => {
      const server = await plainServer((_request, response) => answer(response));
      const { isReportComplete } = reportCalendar({ baseUrl: server.baseUrl, tokenUrl: server.tokenUrl }, localClock);
      expect(await verdicts(isReportComplete, platform)).toEqual(platformVerdicts);
      expect(server.asked.length).toBe(platform.length);
    });
  }

  it("nothing listening: no day is complete (a sandbox's clock may be behind this machine's)", async () => {
    const port = await closedPort();
    const { isReportComplete } = reportCalendar(
      { environment: "sandbox", baseUrl: `http://127.0.0.1:${port}/nhs-app` },
      localClock,
    );
    expect(await verdicts(isReportComplete, platform)).toEqual(platformVerdicts.map(() => false));
  });

  it("a server that never answers: given up after the timeout, and no day is complete", async () => {
    const server = await plainServer(() => {});
    const { isReportComplete } = reportCalendar(
      { environment: "sandbox", baseUrl: server.baseUrl },
      { ...localClock, timeoutMs: 100 },
    );
    expect(await isReportComplete("2026-03-01")).toBe(false);
    expect(await isReportComplete("2026-03-02")).toBe(false);
  });
});
