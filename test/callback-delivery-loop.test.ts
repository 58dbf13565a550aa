// The whole loop, package to package: the client sends through the sandbox,
// the sandbox plays the NHS App and posts receipts and replies over mutual TLS
// to a callback server of @nhs-app-api/callbacks, whose delivery tracker ends
// where the state model says each message ends, and agrees with a tracker fed
// by the day's receipt report.
import {
  type Reply as CallbackReply,
  createCallbackServer,
  createDeliveryTracker,
  type Receipt,
} from "@nhs-app-api/callbacks";
import { createNhsAppClient, freeTextReply, inAppMessage, keywordReply, pushNotification } from "@nhs-app-api/client";
import { type Sandbox, startSandbox, testNhsNumber } from "@nhs-app-api/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authority, issue } from "../packages/callbacks/test/certificates.ts";

const [ORDINARY, ANSWERS, WRITES, REJECTED, UNNOTIFIED, PUSHED] = [1, 2, 3, 4, 5, 6].map(testNhsNumber) as [
  string,
  string,
  string,
  string,
  string,
  string,
];

describe("the sandbox's callbacks, received by @nhs-app-api/callbacks over mutual TLS", () => {
  const tracker = createDeliveryTracker();
  const replies: CallbackReply[] = [];
  const received: Receipt[] = [];
  let server: Awaited<ReturnType<typeof createCallbackServer>>;
  let sandbox: Sandbox;

  beforeAll(async () => {
    const ca = await authority("Supplier callbacks CA");
    const serverCert = await issue(ca, "callbacks.supplier.test", "server");
    const nhsApp = await issue(ca, "nhs-app", "client");
    server = await createCallbackServer({
      key: serverCert.key,
      cert: serverCert.cert,
      ca: ca.cert,
      allowedClients: ["nhs-app"],
      onReceipt: (receipt) => {
        received.push(receipt);
        tracker.record(receipt);
      },
      onReply: (reply) => void replies.push(reply),
    });
    sandbox = await startSandbox({
      port: 0,
      // Noon UTC today: at night the push quiet hours (22:00-06:00 UK) would hold every notification receipt.
      clock: { start: `${new Date().toISOString().slice(0, 10)}T12:00:00Z` },
      delivery: {
        timing: { stepMs: 5 },
        outcomes: { rejected: [REJECTED], unnotified: [UNNOTIFIED], read: [ANSWERS, WRITES, UNNOTIFIED] },
        replies: { keyword: (offered) => offered[1] },
      },
      callbacks: { baseUrl: server.url, tls: { cert: nhsApp.cert, key: nhsApp.key, ca: ca.cert } },
    });
  });
  afterAll(async () => {
    await sandbox?.stop();
    await server?.close();
  });

  it("ends each message where the state model says, with the reply, and the receipt report agrees", async () => {
    const client = createNhsAppClient({
      environment: { baseUrl: sandbox.baseUrl, tokenUrl: sandbox.tokenUrl },
      apiKey: sandbox.apiKey,
      keyId: sandbox.keyId,
      privateKey: sandbox.privateKeyPem,
    });
    const ids: Record<string, string> = {};
    const send = async (name: string, nhsNumber: string, reply?: ReturnType<typeof keywordReply>) => {
      const message = inAppMessage({
        nhsNumber,
        odsCode: "B82041",
        text: "Are you free on Tuesday at 10?",
        campaignId: "clinic-7",
        requestId: `row-${name}`,
        ...(reply ? { reply } : {}),
      });
      ids[name] = (await client.sendInAppMessage(message)).communicationId;
    };
    await send("ordinary", ORDINARY);
    await send("answers", ANSWERS, keywordReply(["YES", "NO", "LATER"]));
    await send("writes", WRITES, freeTextReply());
    await send("rejected", REJECTED, keywordReply(["YES", "NO"]));
    await send("unnotified", UNNOTIFIED);
    ids.push = (
      await client.sendPushNotification(
        pushNotification({ nhsNumber: PUSHED, text: "New message", url: "https://www.nhsapp.service.nhs.uk/" }),
      )
    ).communicationId;

    await sandbox.callbacks?.settled();
    expect(sandbox.callbacks?.undelivered).toEqual([]);

    // Each message's receipts in the order the endpoint received them.
    const arrived = (name: string) =>
      received.filter((receipt) => receipt.communicationId === ids[name]).map((receipt) => receipt.kind);
    const state = (name: string) => {
      const status = tracker.get(ids[name] as string);
      return { state: status?.state, final: status?.final, events: arrived(name) };
    };
    expect(state("ordinary")).toEqual({
      state: "Notified",
      final: false,
      events: ["Delivered", "NotificationAttempted", "Notified"],
    });
    expect(state("answers")).toEqual({
      state: "Read",
      final: true,
      events: ["Delivered", "NotificationAttempted", "Notified", "Read"],
    });
    expect(state("rejected")).toEqual({ state: "Rejected", final: true, events: ["Rejected"] });
    expect(tracker.get(ids.rejected as string)?.reason).toBe("NHS number not found");
    expect(state("unnotified")).toEqual({ state: "Read", final: true, events: ["Delivered", "Unnotified", "Read"] });
    expect(state("writes")).toEqual({
      state: "Read",
      final: true,
      events: ["Delivered", "NotificationAttempted", "Notified", "Read"],
    });
    expect(state("push")).toEqual({ state: "Notified", final: false, events: ["NotificationAttempted", "Notified"] });

    // The replies, as the callbacks package reads them: the second keyword offered, and the default free text.
    expect(replies.map(({ communicationId, answer }) => ({ communicationId, answer }))).toEqual(
      expect.arrayContaining([
        { communicationId: ids.answers, answer: { kind: "keyword", code: "NO" } },
        { communicationId: ids.writes, answer: { kind: "text", text: expect.any(String) } },
      ]),
    );
    expect(replies).toHaveLength(2);
    expect(replies.find((reply) => reply.communicationId === ids.answers)).toMatchObject({
      patientNhsNumber: ANSWERS,
      odsCode: "B82041",
      campaignId: "clinic-7",
      requestReference: "row-answers",
    });
    // Each reply came after its message's Read.
    for (const reply of replies) {
      expect(reply.answeredAt >= (tracker.get(reply.communicationId)?.events.Read ?? "~")).toBe(true);
    }

    // The day's receipt report, fed to a tracker of its own, tells the same story.
    const fromReport = createDeliveryTracker();
    const days = new Set(sandbox.createdMessages.map((message) => message.day));
    for (const day of days) for await (const receipt of client.receipts.items(day)) fromReport.record(receipt);
    const byId = (statuses: ReturnType<typeof tracker.all>) =>
      statuses.sort((a, b) => a.communicationId.localeCompare(b.communicationId));
    expect(byId(fromReport.all())).toEqual(byId(tracker.all()));
    expect(fromReport.all()).toHaveLength(6);
  });
});
