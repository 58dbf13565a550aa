import { BadRequestError, createNhsAppClient, inAppMessage, pushNotification } from "@nhs-app-api/client";
import { systems } from "@nhs-app-api/contract";
import type { Receipt } from "@nhs-app-api/types";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestClient,
  nhsAppSpec,
  type OperationId,
  operationPaths,
  responseBodyIssues,
  type Sandbox,
  startSandbox,
  testNhsNumber,
} from "../src/index.js";
import { createNhsAppMock } from "../src/msw.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const IN_APP = operationPaths["create-in-app"].path;
const PUSH = operationPaths["create-notification"].path;
const RECEIPTS = operationPaths["get-receipt-report"].path;

// One msw server for this file; each test serves its own mock. The sandbox's real HTTP passes through.
const server = setupServer();
const serve = (mock: ReturnType<typeof createNhsAppMock>) => server.resetHandlers(...mock.handlers);
let sandbox: Sandbox;
beforeAll(async () => {
  server.listen({ onUnhandledRequest: "bypass" });
  sandbox = await startSandbox({ port: 0 });
});
afterAll(async () => {
  server.close();
  await sandbox?.stop();
});

/** The request examples of an operation in the bundled spec, whole. */
function requestExamples(operation: OperationId): [string, unknown][] {
  const spec = nhsAppSpec();
  const { method, path } = operationPaths[operation];
  const content = spec.paths[path]?.[method]?.requestBody?.content ?? {};
  const examples = Object.values(content)[0] as { examples?: Record<string, { $ref?: string; value?: unknown }> };
  return Object.entries(examples.examples ?? {}).map(([name, example]) => {
    const ref = example.$ref?.split("/").at(-1);
    const resolved = ref ? (spec.components.examples?.[ref] as { value: unknown }) : example;
    return [name, resolved.value];
  });
}

describe("created messages", () => {
  it("get a fresh communication ID each: in the 201's identifier, its Location and the client's communicationId", async () => {
    const mock = createNhsAppMock();
    serve(mock);
    const client = createTestClient(mock);
    const message = inAppMessage({ nhsNumber: testNhsNumber(1), odsCode: "B82041", text: "Same text" });
    const first = await client.sendInAppMessage(message);
    const second = await client.sendInAppMessage(message);
    for (const sent of [first, second]) {
      expect(sent.communicationId).toMatch(UUID);
      expect(sent.resource.identifier?.[0]).toEqual({ system: systems.communicationId, value: sent.communicationId });
      expect(sent.location).toBe(`${mock.baseUrl}${IN_APP}/${sent.communicationId}`);
    }
    expect(second.communicationId).not.toBe(first.communicationId);
  });

  it("are listed in order with kind, recognised identifiers, NHS number, body and UTC day; the 201 echoes the request", async () => {
    // Half a second before midnight UTC, then just after it: two days.
    const times = [Date.parse("2026-03-01T23:59:59.500Z"), Date.parse("2026-03-02T00:00:00.250Z")];
    const ids = ["00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"];
    const mock = createNhsAppMock({ now: () => times[0] as number, newCommunicationId: () => ids.shift() as string });
    serve(mock);
    const client = createTestClient(mock);
    const inApp = inAppMessage({
      nhsNumber: testNhsNumber(1),
      odsCode: "B82041",
      text: "Your appointment",
      campaignId: "flu-2026",
      requestId: "row-17",
    });
    // A system the API does not record: accepted, but neither kept nor echoed.
    inApp.identifier?.push({ system: "https://example.org/other", value: "ignored" });
    const sentInApp = await client.sendInAppMessage(inApp);
    times.shift();
    const push = pushNotification({
      nhsNumber: testNhsNumber(2),
      text: "You have a new message",
      url: "https://www.nhsapp.service.nhs.uk/patient/messages/app-messaging",
      requestId: "row-18",
    });
    const sentPush = await client.sendPushNotification(push);

    const kept = [
      { system: systems.campaignId, value: "flu-2026" },
      { system: systems.requestId, value: "row-17" },
    ];
    expect(mock.createdMessages).toEqual([
      {
        communicationId: "00000000-0000-4000-8000-000000000001",
        kind: "in-app",
        requestReference: "row-17",
        campaignId: "flu-2026",
        identifier: kept,
        nhsNumber: testNhsNumber(1),
        body: inApp,
        receivedAt: "2026-03-01T23:59:59.500Z",
        day: "2026-03-01",
      },
      {
        communicationId: "00000000-0000-4000-8000-000000000002",
        kind: "push",
        requestReference: "row-18",
        identifier: [{ system: systems.requestId, value: "row-18" }],
        nhsNumber: testNhsNumber(2),
        body: push,
        receivedAt: "2026-03-02T00:00:00.250Z",
        day: "2026-03-02",
      },
    ]);
    expect(sentInApp.resource).toEqual({
      ...inApp,
      identifier: [{ system: systems.communicationId, value: sentInApp.communicationId }, ...kept],
    });
    expect(sentPush.resource.payload).toEqual(push.payload);
    expect(responseBodyIssues("create-in-app", 201, sentInApp.resource)).toEqual([]);
    expect(responseBodyIssues("create-notification", 201, sentPush.resource)).toEqual([]);
  });

  it("never include a refused request (400, 401)", async () => {
    const mock = createNhsAppMock();
    serve(mock);
    const client = createTestClient(mock, { validate: false });
    const wrongNumber = inAppMessage({ nhsNumber: "9434765910", odsCode: "B82041", text: "Hi" });
    await expect(client.sendInAppMessage(wrongNumber)).rejects.toBeInstanceOf(BadRequestError);
    const unauthenticated = await fetch(`${mock.baseUrl}${IN_APP}`, {
      method: "POST",
      headers: { authorization: "Bearer made-up", "content-type": "application/json" },
      body: JSON.stringify(inAppMessage({ nhsNumber: testNhsNumber(1), odsCode: "B82041", text: "Hi" })),
    });
    expect(unauthenticated.status).toBe(401);
    expect(mock.createdMessages).toEqual([]);
    expect(mock.requests.filter((r) => r.operation === "create-in-app")).toHaveLength(2);
  });

  it("echo every request example of the spec as a 201 that validates against the spec", async () => {
    const mock = createNhsAppMock();
    serve(mock);
    const client = createTestClient(mock);
    const cases = [
      ...requestExamples("create-in-app").map((c) => ["create-in-app", IN_APP, ...c] as const),
      ...requestExamples("create-notification").map((c) => ["create-notification", PUSH, ...c] as const),
    ];
    expect(cases.length).toBeGreaterThanOrEqual(4);
    for (const [operation, path, name, body] of cases) {
      const { data, response } = await client.raw.POST(path as typeof IN_APP, { body: body as never });
      expect(`${name} ${response.status}`).toBe(`${name} 201`);
      expect(responseBodyIssues(operation, 201, data)).toEqual([]);
    }
    expect(mock.createdMessages).toHaveLength(cases.length);
  });
});

describe("the receipt report of the day messages were created (sandbox)", () => {
  it("lists the receipts that have happened by the time it is read, each message's in state-model order, valid against the spec", async () => {
    // A clock the test moves: receipts a second apart, outcomes chosen by NHS number.
    let clock = Date.parse("2026-06-10T09:00:00.000Z");
    const [ordinary, reader, rejected, unnotified, pushed] = [0, 1, 2, 3, 9].map(testNhsNumber) as string[];
    const own = await startSandbox({
      port: 0,
      now: () => clock,
      delivery: {
        timing: { firstMs: 0, stepMs: 1000 },
        outcomes: {
          rejected: [rejected as string],
          unnotified: [unnotified as string],
          read: [reader as string, unnotified as string],
        },
      },
    });
    try {
      const client = createNhsAppClient({
        environment: { baseUrl: own.baseUrl, tokenUrl: own.tokenUrl },
        apiKey: own.apiKey,
        keyId: own.keyId,
        privateKey: own.privateKeyPem,
      });
      const sent: Record<string, { communicationId: string; requestId: string }> = {};
      for (const [name, nhsNumber] of Object.entries({ ordinary, reader, rejected, unnotified })) {
        const requestId = `batch-7-${name}`;
        const message = inAppMessage({ nhsNumber: nhsNumber as string, odsCode: "B82041", text: "Hi", requestId });
        sent[name] = { ...(await client.sendInAppMessage(message)), requestId };
      }
      const push = pushNotification({
        nhsNumber: pushed as string,
        text: "Hi",
        url: "https://www.nhsapp.service.nhs.uk/",
        campaignId: "batch-7",
        requestId: "batch-7-push",
      });
      sent.push = { ...(await client.sendPushNotification(push)), requestId: "batch-7-push" };
      const day = "2026-06-10";
      const nameOf = new Map(Object.entries(sent).map(([name, { communicationId }]) => [communicationId, name]));

      /** Each page read raw (and checked against the spec), then the receipts by message, in report order. */
      async function report() {
        const receipts: Receipt[] = [];
        const totals: (number | undefined)[] = [];
        for (let page = 1; ; page++) {
          const { data, response } = await client.raw.GET(RECEIPTS, { params: { query: { day, page } } });
          expect(response.status).toBe(200);
          expect(responseBodyIssues("get-receipt-report", 200, data)).toEqual([]);
          receipts.push(...(data?.entry ?? []).map((e) => e.resource));
          totals.push(data?.total);
          if (!data?.link.some((l) => l.relation === "next")) break;
        }
        expect(new Set(totals)).toEqual(new Set([receipts.length]));
        expect(await client.receipts.items(day).toArray({ limit: 100 })).toEqual(receipts);
        const byMessage: Record<string, string[]> = {};
        for (const receipt of receipts) {
          const id = receipt.identifier?.find((i) => i.system === systems.communicationId)?.value ?? "";
          const name = nameOf.get(id) ?? id;
          byMessage[name] = [...(byMessage[name] ?? []), receipt.code.coding[0]?.code ?? ""];
        }
        return { receipts, byMessage };
      }

      // At once: each message's first receipt.
      const first = await report();
      expect(first.byMessage).toEqual({
        ordinary: ["Delivered"],
        reader: ["Delivered"],
        rejected: ["Rejected"],
        unnotified: ["Delivered"],
        push: ["NotificationAttempted"],
      });
      expect(first.receipts.find((r) => r.code.coding[0]?.code === "Rejected")).toMatchObject({
        status: "rejected",
        statusReason: { text: "NHS number not found" },
      });
      // A second on: the next step of each.
      clock += 1000;
      expect((await report()).byMessage).toEqual({
        ordinary: ["Delivered", "NotificationAttempted"],
        reader: ["Delivered", "NotificationAttempted"],
        rejected: ["Rejected"],
        unnotified: ["Delivered", "Unnotified"],
        push: ["NotificationAttempted", "Notified"],
      });
      // Once everything has happened.
      clock += 60_000;
      const last = await report();
      expect(last.byMessage).toEqual({
        ordinary: ["Delivered", "NotificationAttempted", "Notified"],
        reader: ["Delivered", "NotificationAttempted", "Notified", "Read"],
        rejected: ["Rejected"],
        unnotified: ["Delivered", "Unnotified", "Read"],
        push: ["NotificationAttempted", "Notified"],
      });
      // 13 receipts, 4 a page: 4 pages, the fifth not found.
      expect(last.receipts).toHaveLength(13);
      const past = await client.raw.GET(RECEIPTS, { params: { query: { day, page: 5 } } });
      expect(past.response.status).toBe(404);
      // Each receipt names its message's identifiers, has its own id (kept from one read to the next) and its time.
      for (const receipt of last.receipts) {
        const name = nameOf.get(receipt.identifier?.[0]?.value ?? "") as string;
        expect(receipt.identifier).toContainEqual({ system: systems.requestId, value: sent[name]?.requestId });
        expect(receipt.authoredOn).toBe("2026-06-10T09:00:00Z");
      }
      // Unnotified's Read comes a step sooner than the reader's (no Notified before it), and the report says so.
      const reads = last.receipts.filter((r) => r.code.coding[0]?.code === "Read");
      expect(reads.map((r) => [nameOf.get(r.identifier?.[0]?.value ?? ""), r.lastModified])).toEqual([
        ["unnotified", "2026-06-10T09:00:02Z"],
        ["reader", "2026-06-10T09:00:03Z"],
      ]);
      expect(new Set(last.receipts.map((r) => r.id)).size).toBe(13);
      expect(first.receipts.every((r) => last.receipts.some((l) => l.id === r.id))).toBe(true);
      // In the order they happened: all first receipts, then the second ones, ...
      expect(last.receipts.slice(0, 5).map((r) => r.lastModified)).toEqual(Array(5).fill("2026-06-10T09:00:00Z"));
    } finally {
      await own.stop();
    }
  });

  it("leaves the made-up multi-page report of other days as it was, and of today once forgotten", async () => {
    const client = createNhsAppClient({
      environment: { baseUrl: sandbox.baseUrl, tokenUrl: sandbox.tokenUrl },
      apiKey: sandbox.apiKey,
      keyId: sandbox.keyId,
      privateKey: sandbox.privateKeyPem,
    });
    await client.sendInAppMessage(inAppMessage({ nhsNumber: testNhsNumber(1), odsCode: "B82041", text: "Hi" }));
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const other = await client.getReceiptReport({ day: yesterday });
    expect(other.items).toHaveLength(4);
    expect(other.lastPage).toBe(3);
    expect((await client.getReceiptReport({ day: today })).lastPage).toBeLessThan(3);

    sandbox.gateway.clearCreatedMessages();
    expect(sandbox.createdMessages).toEqual([]);
    expect((await client.getReceiptReport({ day: today })).lastPage).toBe(3);
  });
});
