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
  it("holds one receipt per created message, with its communication ID and request reference, valid against the spec", async () => {
    const client = createNhsAppClient({
      environment: { baseUrl: sandbox.baseUrl, tokenUrl: sandbox.tokenUrl },
      apiKey: sandbox.apiKey,
      keyId: sandbox.keyId,
      privateKey: sandbox.privateKeyPem,
    });
    const sent: { communicationId: string; requestId: string; kind: "Delivered" | "Notified" }[] = [];
    for (let n = 0; n < 5; n++) {
      const requestId = `batch-7-row-${n}`;
      const message = inAppMessage({ nhsNumber: testNhsNumber(n), odsCode: "B82041", text: "Hi", requestId });
      sent.push({ ...(await client.sendInAppMessage(message)), requestId, kind: "Delivered" });
    }
    const push = pushNotification({
      nhsNumber: testNhsNumber(9),
      text: "Hi",
      url: "https://www.nhsapp.service.nhs.uk/",
      campaignId: "batch-7",
      requestId: "batch-7-push",
    });
    sent.push({ ...(await client.sendPushNotification(push)), requestId: "batch-7-push", kind: "Notified" });

    const today = new Date().toISOString().slice(0, 10);
    expect(sandbox.createdMessages.map((m) => m.day)).toEqual(Array(6).fill(today));

    // 6 receipts, 4 a page: 2 pages, each valid against the spec, the third not found.
    const pages: Receipt[][] = [];
    for (const page of [1, 2]) {
      const { data, response } = await client.raw.GET(RECEIPTS, { params: { query: { day: today, page } } });
      expect(response.status).toBe(200);
      expect(responseBodyIssues("get-receipt-report", 200, data)).toEqual([]);
      expect(data?.total).toBe(6);
      pages.push((data?.entry ?? []).map((e) => e.resource));
    }
    expect(pages.map((p) => p.length)).toEqual([4, 2]);
    const past = await client.raw.GET(RECEIPTS, { params: { query: { day: today, page: 3 } } });
    expect(past.response.status).toBe(404);

    // The client reads the same receipts, in the order the messages were accepted.
    const receipts = await client.receipts.items(today).toArray({ limit: 100 });
    expect(receipts).toEqual(pages.flat());
    expect(
      receipts.map((r) => ({
        communicationId: r.identifier?.find((i) => i.system === systems.communicationId)?.value,
        requestId: r.identifier?.find((i) => i.system === systems.requestId)?.value,
        kind: r.code.coding[0]?.code,
        status: r.status,
        on: r.authoredOn.slice(0, 10),
      })),
    ).toEqual(
      sent.map(({ communicationId, requestId, kind }) => ({
        communicationId,
        requestId,
        kind,
        status: "completed",
        on: today,
      })),
    );
    // The push's campaign ID is there too; each receipt has its own id, not the communication ID.
    expect(receipts.at(-1)?.identifier).toContainEqual({ system: systems.campaignId, value: "batch-7" });
    expect(new Set(receipts.map((r) => r.id)).size).toBe(6);
    expect(receipts.map((r) => r.id)).not.toContain(sent[0]?.communicationId);
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
