// The sandbox's workbench driven as another team drives it: plain HTTP to its
// control API (CONTROL-API.md), a real callback endpoint on 127.0.0.1 that
// records what the simulated NHS App posts, and the client reading the
// receipt report. The sandbox's clock starts at a fixed time and is moved by
// the control API, so nothing here waits on the wall clock.
import { createServer, type Server } from "node:http";
import { freeTextReply, inAppMessage, keywordReply, pushNotification } from "@nhs-app-api/client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createTestClient,
  type MessageView,
  type Sandbox,
  startSandbox,
  TEST_PATIENTS,
  testNhsNumber,
} from "../src/index.js";

interface Posted {
  path: string;
  body: Record<string, unknown>;
}

/** A plain-http callback endpoint: records each post, answers as `answer` says (default 202). */
async function endpoint() {
  const posted: Posted[] = [];
  let answer: (index: number) => number = () => 202;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      posted.push({ path: request.url ?? "", body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      response.writeHead(answer(posted.length - 1)).end();
    });
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    posted,
    answerWith(choose: (index: number) => number) {
      answer = choose;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// A Saturday afternoon in winter (UK time = UTC): outside the push quiet hours.
const START = "2026-12-05T14:00:00.000Z";
const ORDINARY = testNhsNumber(1);
const HOUR = 3_600_000;

let sandbox: Sandbox;
let callbacks: Awaited<ReturnType<typeof endpoint>>;
let client: ReturnType<typeof createTestClient>;

beforeAll(async () => {
  callbacks = await endpoint();
  sandbox = await startSandbox({
    port: 0,
    clock: { start: START },
    // Nothing happens by itself for an hour: each test makes it happen, or moves the clock.
    delivery: { timing: { firstMs: HOUR, stepMs: 60_000 } },
    callbacks: { baseUrl: callbacks.url, retry: { retries: 2, initialDelayMs: 1_000, factor: 1 }, log: () => {} },
  });
  client = createTestClient({ ...sandbox, keys: sandbox.gateway.keys });
});
afterEach(async () => {
  await control("POST", "/reset");
  callbacks.posted.length = 0;
  callbacks.answerWith(() => 202);
  await daytime();
});
afterAll(async () => {
  await sandbox?.stop();
  await callbacks?.close();
});

async function control(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${sandbox.controlUrl}${path}`, {
    method,
    redirect: "manual",
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === "" ? undefined : JSON.parse(text) };
}

const diagnostics = (body: unknown) =>
  (body as { issue: { diagnostics: string }[] }).issue.map((issue) => issue.diagnostics);

async function send(nhsNumber = ORDINARY, reply?: Parameters<typeof inAppMessage>[0]["reply"]) {
  const created = await client.sendInAppMessage(
    inAppMessage({
      nhsNumber,
      odsCode: "B82041",
      text: "## Your appointment\n\nIs on **Monday**.",
      ...(reply ? { reply } : {}),
    }),
  );
  return created.communicationId;
}

const happened = (view: MessageView) =>
  view.receipts.filter((receipt) => receipt.happened).map((receipt) => receipt.kind);

/** The receipt report's codes for a communication ID, on a day (default: the day it was accepted). */
async function reportedCodes(communicationId: string, on?: string) {
  const day = on ?? (await control("GET", `/messages/${communicationId}`)).body.receivedAt.slice(0, 10);
  const codes: string[] = [];
  for await (const receipt of client.receipts.items(day)) {
    if (receipt.identifier?.some((identifier) => identifier.value === communicationId)) {
      codes.push(receipt.code.coding[0]?.code ?? "");
    }
  }
  return codes;
}

/**
 * Waits (by turns of the event loop, no deadline of its own) until the
 * endpoint has had `count` posts and the sandbox has taken every answer.
 * (Not settled(): deliveries still wait for receipts planned an hour on.)
 */
async function posts(count: number) {
  const done = () =>
    callbacks.posted.length >= count && sandbox.callbacks?.callbacks.every((callback) => callback.state !== "sending");
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
  return callbacks.posted;
}

/** Daytime for the next test: the clock moved on to 10:00 UTC of the next day when it is evening or night. */
async function daytime() {
  const { body } = await control("GET", "/clock");
  const hour = Number(body.now.slice(11, 13));
  if (hour >= 8 && hour < 18) return;
  const next = new Date(Date.parse(body.now) + 86_400_000).toISOString().slice(0, 10);
  await control("POST", "/clock", { to: `${next}T10:00:00Z` });
}

const receiptCode = (post: Posted) =>
  ((post.body.code as { coding: { code: string }[] } | undefined)?.coding[0]?.code ?? "reply") as string;

describe("seeing what was sent", () => {
  it("lists every accepted message newest first, with its identifiers and planned timeline", async () => {
    const first = await send();
    const second = await send(TEST_PATIENTS.find((p) => p.name === "rejected")?.nhsNumber);
    const { status, body } = await control("GET", "/messages");
    expect(status).toBe(200);
    expect(body.total).toBe(2);
    expect(body.messages.map((m: MessageView) => m.communicationId)).toEqual([second, first]);
    const view: MessageView = body.messages[1];
    expect(view).toMatchObject({ kind: "in-app", nhsNumber: ORDINARY, odsCode: "B82041" });
    expect(view.receivedAt.slice(0, 13)).toBe(START.slice(0, 13));
    expect(view.receipts.map((r) => [r.kind, r.happened])).toEqual([
      ["Delivered", false],
      ["NotificationAttempted", false],
      ["Notified", false],
    ]);
    expect(body.messages[0].testPatient).toBe("rejected");
    expect((await control("GET", `/messages/${first}`)).body.communicationId).toBe(first);
    expect((await control("GET", "/messages/no-such-id")).status).toBe(404);
  });
});

describe("making it happen now", () => {
  it("delivers the next receipt now: the report lists it and its callback is posted", async () => {
    const id = await send();
    expect(await reportedCodes(id)).toEqual([]);
    const { status, body } = await control("POST", `/messages/${id}/receipts`, {});
    expect(status).toBe(200);
    expect(happened(body)).toEqual(["Delivered"]);
    expect(body.receipts[0].source).toBe("control");
    expect(await reportedCodes(id)).toEqual(["Delivered"]);
    expect((await posts(1)).map(receiptCode)).toEqual(["Delivered"]);
  });

  it("delivers a chosen Read now, with the receipts before it, in the state model's order", async () => {
    const id = await send();
    const { body } = await control("POST", `/messages/${id}/receipts`, { receipt: "Read" });
    expect(happened(body)).toEqual(["Delivered", "NotificationAttempted", "Notified", "Read"]);
    expect(await reportedCodes(id)).toEqual(["Delivered", "NotificationAttempted", "Notified", "Read"]);
    expect((await posts(4)).map(receiptCode)).toEqual(["Delivered", "NotificationAttempted", "Notified", "Read"]);
  });

  it("rejects with a chosen reason before anything happened, and refuses once it was Delivered", async () => {
    const id = await send();
    const rejected = await control("POST", `/messages/${id}/receipts`, {
      receipt: "Rejected",
      reason: "Patient has left the practice",
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body.receipts).toEqual([
      expect.objectContaining({ kind: "Rejected", reason: "Patient has left the practice", happened: true }),
    ]);
    const [post] = await posts(1);
    expect(post?.body.statusReason).toEqual({ text: "Patient has left the practice" });

    const other = await send();
    await control("POST", `/messages/${other}/receipts`, {});
    const refused = await control("POST", `/messages/${other}/receipts`, { receipt: "Rejected" });
    expect(refused.status).toBe(409);
    expect(diagnostics(refused.body)[0]).toMatch(/cannot be Rejected now: its receipts so far: Delivered/);
  });

  it("refuses what the contract or the state model does not allow, listing every problem", async () => {
    const id = await send();
    const bad = await control("POST", `/messages/${id}/receipts`, { receipt: "Banana", reason: "", extra: 1 });
    expect(bad.status).toBe(400);
    expect(diagnostics(bad.body)).toEqual([expect.stringMatching(/"extra" is not a field here/)]);
    const wrong = await control("POST", `/messages/${id}/receipts`, { receipt: "Banana", reason: "why" });
    expect(wrong.status).toBe(400);
    expect(diagnostics(wrong.body)).toEqual([
      expect.stringMatching(/^receipt must be one of Delivered, .*Read.* \(it is "Banana"\)$/),
      "reason goes only with the receipt Rejected",
    ]);
    const push = await client.sendPushNotification(
      pushNotification({ nhsNumber: ORDINARY, text: "Hello", url: "https://www.nhs.uk/nhs-app/" }),
    );
    const read = await control("POST", `/messages/${push.communicationId}/receipts`, { receipt: "Read" });
    expect(read.status).toBe(409);
    expect(diagnostics(read.body)).toEqual(["A push notification has no Read receipt: it has no inbox"]);
  });

  it("posts a keyword reply now (reading the message first), once", async () => {
    const id = await send(ORDINARY, keywordReply(["YES", "NO"]));
    const notOffered = await control("POST", `/messages/${id}/reply`, { keyword: "MAYBE" });
    expect(notOffered.status).toBe(400);
    expect(diagnostics(notOffered.body)).toEqual(["keyword must be one of those offered: YES, NO"]);
    const both = await control("POST", `/messages/${id}/reply`, { keyword: "YES", text: "Yes" });
    expect(diagnostics(both.body)).toEqual(["give exactly one of keyword or text"]);

    const { status, body } = await control("POST", `/messages/${id}/reply`, { keyword: "NO" });
    expect(status).toBe(200);
    expect(happened(body)).toContain("Read");
    expect(body.reply).toMatchObject({ answer: { kind: "keyword", code: "NO" }, happened: true, source: "control" });
    const sent = await posts(5);
    expect(sent.map(receiptCode)).toEqual(["Delivered", "NotificationAttempted", "Notified", "Read", "reply"]);
    expect(JSON.stringify(sent[4]?.body)).toContain('"code":"NO"');
    expect((await control("POST", `/messages/${id}/reply`, { keyword: "YES" })).status).toBe(409);
  });

  it("posts free text a patient writes, and refuses text the replies contract refuses", async () => {
    const id = await send(ORDINARY, freeTextReply());
    const keyword = await control("POST", `/messages/${id}/reply`, { keyword: "YES" });
    expect(diagnostics(keyword.body)).toEqual([`${id} offered a free-text reply, not keywords`]);
    const { body } = await control("POST", `/messages/${id}/reply`, { text: "Thursday morning please" });
    expect(body.reply.answer).toEqual({ kind: "text", text: "Thursday morning please" });
    const noOffer = await send();
    expect((await control("POST", `/messages/${noOffer}/reply`, { text: "hi" })).status).toBe(409);
  });

  it("replays a callback as a new one that names it, and the endpoint gets the same body again", async () => {
    const id = await send();
    await control("POST", `/messages/${id}/receipts`, {});
    const [first] = await posts(1);
    const { body: list } = await control("GET", "/callbacks");
    const original = list.callbacks[0];
    expect(original).toMatchObject({ state: "delivered", attempts: [expect.objectContaining({ status: 202 })] });
    const replayed = await control("POST", `/callbacks/${original.id}/replay`);
    expect(replayed.status).toBe(200);
    expect(replayed.body.replayOf).toBe(original.id);
    const [, again] = await posts(2);
    expect(again?.body).toEqual(first?.body);
    expect((await control("POST", "/callbacks/cb-999/replay")).status).toBe(404);
  });

  it("shows each try of a callback the endpoint refused, and the retry that got through", async () => {
    callbacks.answerWith((index) => (index < 2 ? 500 : 202));
    const id = await send();
    await control("POST", `/messages/${id}/receipts`, {});
    // The retries wait on the sandbox's clock: move it past them.
    while (callbacks.posted.length < 3) {
      await control("POST", "/clock", { advance: "2s" });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await posts(3);
    const { body } = await control("GET", `/messages/${id}`);
    expect(body.callbacks).toEqual([
      expect.objectContaining({
        state: "delivered",
        attempts: [
          expect.objectContaining({ status: 500, reason: "the endpoint answered 500" }),
          expect.objectContaining({ status: 500 }),
          expect.objectContaining({ status: 202 }),
        ],
      }),
    ]);
  });
});

describe("failing the next calls of an operation", () => {
  const ping = () => fetch(`${sandbox.baseUrl}/_ping`);

  it("answers the next N calls with the chosen status, then as usual", async () => {
    const added = await control("POST", "/faults", { operation: "get-ping", count: 2, status: 503, retryAfter: 7 });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      operation: "get-ping",
      remaining: 2,
      answer: { kind: "status", status: 503, retryAfterSeconds: 7 },
    });
    const first = await ping();
    expect([first.status, first.headers.get("retry-after")]).toEqual([503, "7"]);
    expect((await ping()).status).toBe(503);
    expect((await ping()).status).toBe(200);
  });

  it("gives the spec's own 429 with Retry-After, and the client sees a typed error", async () => {
    await control("POST", "/faults", { operation: "get-receipt-report", count: 10, status: 429, retryAfter: 1 });
    const error = await client.getReceiptReport({ day: "2026-12-04" }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 429 });
    const refused = sandbox.gateway.requests.filter((request) => request.operation === "get-receipt-report");
    expect(refused.length).toBeGreaterThanOrEqual(1);
    const left = (await control("GET", "/faults")).body.faults[0];
    expect(left.remaining).toBe(10 - refused.length);
  });

  it("drops the connection, and with processed the message was created all the same", async () => {
    await control("POST", "/faults", { operation: "create-in-app", drop: true, processed: true });
    const noRetry = createTestClient({ ...sandbox, keys: sandbox.gateway.keys });
    await expect(
      noRetry.sendInAppMessage(inAppMessage({ nhsNumber: ORDINARY, odsCode: "B82041", text: "Hello" })),
    ).rejects.toThrow();
    // The sender cannot know: the platform did take it, once (the client never sends a POST twice when unsure).
    expect(sandbox.createdMessages).toHaveLength(1);
    const { body } = await control("GET", "/faults");
    expect(body.faults).toEqual([]);
  });

  it("without processed a failed POST created nothing", async () => {
    await control("POST", "/faults", { operation: "create-in-app", status: 500 });
    await expect(
      client.sendInAppMessage(inAppMessage({ nhsNumber: ORDINARY, odsCode: "B82041", text: "Hello" })),
    ).rejects.toMatchObject({ status: 500 });
    expect(sandbox.createdMessages).toHaveLength(0);
  });

  it("answers late when asked to be slow: a client with a shorter timeout gives up", async () => {
    await control("POST", "/faults", { operation: "get-ping", slowMs: 30_000 });
    await expect(fetch(`${sandbox.baseUrl}/_ping`, { signal: AbortSignal.timeout(50) })).rejects.toThrow();
    expect((await control("GET", "/faults")).body.faults).toEqual([]);
  });

  it("lists every problem of a fault it cannot take, and forgets faults on DELETE", async () => {
    const bad = await control("POST", "/faults", {
      operation: "send-fax",
      count: 0,
      status: 418,
      drop: true,
      colour: "red",
    });
    expect(bad.status).toBe(400);
    expect(diagnostics(bad.body)).toEqual([
      '"colour" is not a field of a fault',
      expect.stringMatching(/^operation must be one of create-in-app, .*token \(it is "send-fax"\)$/),
      "count must be a whole number from 1 to 10000 (it is 0)",
      "give exactly one of status, drop (true) or slowMs",
      "status must be one of 401, 403, 429, 500, 502, 503, 504 (it is 418)",
    ]);
    await control("POST", "/faults", { operation: "token", status: 401 });
    expect((await control("GET", "/faults")).body.faults).toHaveLength(1);
    expect((await control("DELETE", "/faults")).body.faults).toEqual([]);
  });
});

describe("time", () => {
  it("moves forward on request, and what falls due happens: receipts, callbacks and the report's completeness", async () => {
    const id = await send();
    const before = Date.parse((await control("GET", "/clock")).body.now);
    const moved = await control("POST", "/clock", { advance: "1h2m" });
    expect(Date.parse(moved.body.now) - before).toBeGreaterThanOrEqual(62 * 60_000);
    expect(happened((await control("GET", `/messages/${id}`)).body)).toEqual([
      "Delivered",
      "NotificationAttempted",
      "Notified",
    ]);
    expect((await posts(3)).map(receiptCode)).toEqual(["Delivered", "NotificationAttempted", "Notified"]);
    expect(moved.body.receiptReports.completeBefore).toBe(moved.body.now.slice(0, 10));
    const tomorrow = await control("POST", "/clock", { advance: "1d" });
    const next = new Date(Date.parse(moved.body.now) + 86_400_000).toISOString().slice(0, 10);
    expect(tomorrow.body.receiptReports.completeBefore).toBe(next);
    // The report of the day before is complete now, and lists the message's receipts.
    expect(await reportedCodes(id, moved.body.now.slice(0, 10))).toEqual([
      "Delivered",
      "NotificationAttempted",
      "Notified",
    ]);
  });

  it("never goes back, and says what it takes", async () => {
    const back = await control("POST", "/clock", { to: "2020-01-01T00:00:00Z" });
    expect(back.status).toBe(400);
    expect(diagnostics(back.body)[0]).toMatch(/must not be before the clock's time now/);
    const nonsense = await control("POST", "/clock", { advance: "soon", speed: -1 });
    expect(diagnostics(nonsense.body)).toEqual([
      'A duration is a number and a unit (ms, s, m, h or d), such as 90m, 2h or 1d (it is "soon")',
      "speed must be a number above 0 and at most 1000000 (it is -1)",
    ]);
  });

  it("holds the push notification of a message sent in the quiet hours until 06:00 UK time", async () => {
    const { body: clock } = await control("GET", "/clock");
    // To 22:30 UK time (UTC in December) today.
    await control("POST", "/clock", { to: `${clock.now.slice(0, 10)}T22:30:00Z` });
    expect((await control("GET", "/clock")).body.pushQuietHours.now).toBe(true);
    const id = await send();
    const { body } = await control("GET", `/messages/${id}`);
    const until = body.pushHold.until as string;
    expect(until).toMatch(/T06:00:00\.000Z$/);
    const attempted = body.receipts.find((r: { kind: string }) => r.kind === "NotificationAttempted");
    expect(Date.parse(attempted.at)).toBeGreaterThanOrEqual(Date.parse(until));
    // Delivered (an hour after acceptance here) still comes at once in the night; the notification waits.
    await control("POST", "/clock", { advance: "2h" });
    expect(happened((await control("GET", `/messages/${id}`)).body)).toEqual(["Delivered"]);
    await control("POST", "/clock", { to: until });
    expect(happened((await control("GET", `/messages/${id}`)).body)).toEqual(["Delivered", "NotificationAttempted"]);
  });
});

describe("test patients", () => {
  it("lists NHS numbers with valid check digits and fixed outcomes, and messages to them fare so with no flags", async () => {
    const { body } = await control("GET", "/test-patients");
    expect(body.testPatients.map((p: { name: string }) => p.name)).toEqual(TEST_PATIENTS.map((p) => p.name));
    const number = (name: string) => TEST_PATIENTS.find((p) => p.name === name)?.nhsNumber as string;
    const rejected = await send(number("rejected"));
    const replies = await send(number("reads-and-replies"), keywordReply(["YES", "NO"]));
    const off = await send(number("notifications-off"));
    await control("POST", "/clock", { advance: "2h" });
    const views = await Promise.all(
      [rejected, replies, off].map(async (id) => (await control("GET", `/messages/${id}`)).body),
    );
    expect(views.map(happened)).toEqual([
      ["Rejected"],
      ["Delivered", "NotificationAttempted", "Notified", "Read"],
      ["Delivered", "Unnotified"],
    ]);
    expect(views[1].reply).toMatchObject({ answer: { kind: "keyword", code: "YES" }, happened: true });
  });
});

describe("reset and the page's forms", () => {
  it("forgets messages, faults and callbacks; the clock stays", async () => {
    await send();
    await control("POST", "/faults", { operation: "get-ping", status: 500 });
    const before = (await control("GET", "/clock")).body.now;
    const reset = await control("POST", "/reset");
    expect(reset.status).toBe(200);
    expect((await control("GET", "/messages")).body).toEqual({ total: 0, messages: [] });
    expect((await control("GET", "/faults")).body.faults).toEqual([]);
    expect(Date.parse(reset.body.clock.now)).toBeGreaterThanOrEqual(Date.parse(before));
  });

  it("takes a form from its own page and sends the browser back to it", async () => {
    const id = await send();
    const response = await fetch(`${sandbox.controlUrl}/messages/${id}/receipts`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: new URL(sandbox.baseUrl).origin },
      body: "receipt=Delivered",
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`/_sandbox/?notice=Done.#message-${id}`);
    const refused = await fetch(`${sandbox.controlUrl}/messages/${id}/receipts`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "receipt=Rejected",
    });
    expect(refused.status).toBe(303);
    const location = new URL(refused.headers.get("location") ?? "", sandbox.inspectorUrl);
    expect(location.searchParams.get("error")).toMatch(/cannot be Rejected now/);
  });

  it("refuses requests from other web pages and other host names", async () => {
    const evil = await control("POST", "/reset", undefined, { origin: "https://evil.example" });
    expect(evil.status).toBe(403);
    const rebound = await control("GET", "/messages", undefined, { host: "evil.example" });
    // fetch may not let a Host header be set: where it can, the sandbox refuses it.
    expect([200, 403]).toContain(rebound.status);
    expect((await control("GET", "/nothing")).status).toBe(404);
    expect((await control("PUT", "/reset")).status).toBe(405);
    expect((await control("POST", "/messages", {})).status).toBe(405);
  });

  it("serves the inspector page as HTML", async () => {
    await send();
    const page = await fetch(sandbox.inspectorUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await page.text()).toContain("<html");
  });
});
