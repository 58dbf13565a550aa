import { freeTextReply, inAppMessage, keywordReply, pushNotification } from "@nhs-app-api/client";
import { enums, requestBodyIssues, systems } from "@nhs-app-api/contract";
import { describe, expect, it } from "vitest";
import { type CreatedMessage, createdMessage } from "../src/created-messages.js";
import { realtimeReceipt, realtimeReply, reportReceipt } from "../src/delivery-bodies.js";
import {
  DEFAULT_FREE_TEXT_REPLY,
  type DeliveryOutcomes,
  type DeliveryScenario,
  planDelivery,
  receiptsBy,
} from "../src/delivery-plan.js";
import { responseBodyIssues, testNhsNumber } from "../src/index.js";
import { NEXT } from "./state-model.ts";

// A push notification has no inbox: its notification receipts follow its acceptance directly.
const PUSH_NEXT: Record<string, readonly string[]> = {
  ...NEXT,
  Received: ["Rejected", "NotificationAttempted", "Unnotified"],
  NotificationAttempted: ["Notified"],
  Unnotified: [],
};

const ACCEPTED = "2026-05-04T10:00:00.000Z";
let sequence = 0;
function created(kind: "in-app" | "push", nhsNumber: string, reply?: "keyword" | "text"): CreatedMessage {
  sequence++;
  const body =
    kind === "push"
      ? pushNotification({
          nhsNumber,
          text: "Hi",
          url: "https://www.nhsapp.service.nhs.uk/",
          requestId: `r-${sequence}`,
        })
      : inAppMessage({
          nhsNumber,
          odsCode: "B82041",
          text: "Can you come on Tuesday?",
          campaignId: "clinic-7",
          requestId: `r-${sequence}`,
          ...(reply === "keyword" ? { reply: keywordReply(["YES", "NO"]) } : {}),
          ...(reply === "text" ? { reply: freeTextReply() } : {}),
        });
  const id = `00000000-0000-4000-8000-${String(sequence).padStart(12, "0")}`;
  return createdMessage(kind === "push" ? "create-notification" : "create-in-app", body, id, new Date(ACCEPTED));
}

const kinds = (message: CreatedMessage, scenario?: DeliveryScenario) =>
  planDelivery(message, scenario).receipts.map((receipt) => receipt.kind);

const [ORDINARY, REJECTED, UNNOTIFIED, UNACKNOWLEDGED, READER] = [1, 2, 3, 4, 5].map(testNhsNumber) as [
  string,
  string,
  string,
  string,
  string,
];
const outcomes: DeliveryOutcomes = {
  rejected: [REJECTED],
  unnotified: [UNNOTIFIED],
  notAcknowledged: [UNACKNOWLEDGED],
  read: [READER, UNNOTIFIED, UNACKNOWLEDGED],
};

describe("planDelivery: the delivery state model", () => {
  it("takes an ordinary in-app message to Notified, unread; one offering a reply on to Read", () => {
    expect(kinds(created("in-app", ORDINARY))).toEqual(["Delivered", "NotificationAttempted", "Notified"]);
    expect(kinds(created("in-app", ORDINARY, "keyword"))).toEqual([
      "Delivered",
      "NotificationAttempted",
      "Notified",
      "Read",
    ]);
  });

  it("chooses rejected, unnotified, unacknowledged and read outcomes by NHS number", () => {
    const plan = planDelivery(created("in-app", REJECTED, "keyword"), { outcomes });
    expect(plan.receipts).toEqual([
      expect.objectContaining({ kind: "Rejected", status: "rejected", reason: "NHS number not found" }),
    ]);
    expect(plan.reply).toBeUndefined();
    expect(kinds(created("in-app", UNNOTIFIED), { outcomes })).toEqual(["Delivered", "Unnotified", "Read"]);
    expect(kinds(created("in-app", UNACKNOWLEDGED), { outcomes })).toEqual([
      "Delivered",
      "NotificationAttempted",
      "Read",
    ]);
    expect(kinds(created("in-app", READER), { outcomes })).toEqual([
      "Delivered",
      "NotificationAttempted",
      "Notified",
      "Read",
    ]);
    // Not on the read list: not read, even when it offered a reply.
    expect(kinds(created("in-app", ORDINARY, "keyword"), { outcomes })).toEqual([
      "Delivered",
      "NotificationAttempted",
      "Notified",
    ]);
    expect(kinds(created("in-app", ORDINARY), { outcomes: { read: "all" } })).toContain("Read");
    expect(kinds(created("in-app", ORDINARY, "text"), { outcomes: { read: "none" } })).not.toContain("Read");
  });

  it("gives a push notification only its notification receipts, never Delivered or Read", () => {
    expect(kinds(created("push", ORDINARY))).toEqual(["NotificationAttempted", "Notified"]);
    expect(kinds(created("push", UNNOTIFIED), { outcomes })).toEqual(["Unnotified"]);
    expect(kinds(created("push", REJECTED), { outcomes })).toEqual(["Rejected"]);
    expect(kinds(created("push", ORDINARY), { outcomes: { read: "all" } })).not.toContain("Read");
  });

  it("never takes a step the state model does not allow, and ends where it may end", () => {
    const everyone = [ORDINARY, REJECTED, UNNOTIFIED, UNACKNOWLEDGED, READER];
    const scenarios: DeliveryScenario[] = [{}, { outcomes }, { outcomes: { ...outcomes, read: "all" } }];
    const seen = new Set<string>();
    for (const scenario of scenarios) {
      for (const nhsNumber of everyone) {
        for (const [kind, reply] of [
          ["in-app", undefined],
          ["in-app", "keyword"],
          ["in-app", "text"],
          ["push", undefined],
        ] as const) {
          const path = kinds(created(kind, nhsNumber, reply), scenario);
          const model = kind === "push" ? PUSH_NEXT : NEXT;
          let state = "Received";
          for (const next of path) {
            expect(model[state], `${kind} ${nhsNumber}: ${state} -> ${next}`).toContain(next);
            state = next;
            seen.add(next);
          }
          expect(path.length).toBeGreaterThan(0);
        }
      }
    }
    // Every receipt code of the contract occurs in some plan.
    expect([...seen].sort()).toEqual([...enums.receiptCodes].sort());
  });
});

describe("planDelivery: timing and replies", () => {
  it("times each receipt from acceptance, step by step, and the reply after Read", () => {
    const plan = planDelivery(created("in-app", ORDINARY, "keyword"), {
      timing: { firstMs: 100, stepMs: 1000, replyMs: 60_000 },
    });
    expect(plan.receipts.map((r) => [r.kind, r.offsetMs, r.at])).toEqual([
      ["Delivered", 100, "2026-05-04T10:00:00.100Z"],
      ["NotificationAttempted", 1100, "2026-05-04T10:00:01.100Z"],
      ["Notified", 2100, "2026-05-04T10:00:02.100Z"],
      ["Read", 3100, "2026-05-04T10:00:03.100Z"],
    ]);
    expect(plan.reply).toEqual({
      answer: { kind: "keyword", code: "YES" },
      offsetMs: 63_100,
      at: "2026-05-04T10:01:03.100Z",
    });
    // Small steps by default, the first receipt at once.
    const quick = planDelivery(created("in-app", ORDINARY)).receipts.map((r) => r.offsetMs);
    expect(quick[0]).toBe(0);
    expect(quick.at(-1)).toBeLessThan(100);
  });

  it("lists the receipts that have happened by a moment", () => {
    const plan = planDelivery(created("in-app", ORDINARY), { timing: { stepMs: 1000 } });
    expect(receiptsBy(plan, Date.parse(ACCEPTED) - 1)).toEqual([]);
    expect(receiptsBy(plan, Date.parse(ACCEPTED) + 1000).map((r) => r.kind)).toEqual([
      "Delivered",
      "NotificationAttempted",
    ]);
  });

  it("answers the first keyword or a fixed text by default, or as the scenario says", () => {
    expect(planDelivery(created("in-app", ORDINARY, "text")).reply?.answer).toEqual({
      kind: "text",
      text: DEFAULT_FREE_TEXT_REPLY,
    });
    const replies: DeliveryScenario["replies"] = {
      keyword: (offered) => offered.at(-1),
      text: (message) => (message.nhsNumber === READER ? undefined : "Tuesday is fine"),
    };
    expect(planDelivery(created("in-app", ORDINARY, "keyword"), { replies }).reply?.answer).toEqual({
      kind: "keyword",
      code: "NO",
    });
    expect(planDelivery(created("in-app", ORDINARY, "text"), { replies }).reply?.answer).toEqual({
      kind: "text",
      text: "Tuesday is fine",
    });
    // The function said no reply: read, but unanswered.
    const silent = planDelivery(created("in-app", READER, "text"), { replies });
    expect(silent.receipts.at(-1)?.kind).toBe("Read");
    expect(silent.reply).toBeUndefined();
    expect(
      planDelivery(created("in-app", ORDINARY, "keyword"), { replies: { keyword: "MAYBE" } }).reply?.answer,
    ).toEqual({ kind: "keyword", code: "MAYBE" });
  });

  it("refuses a timing that is not a number of milliseconds", () => {
    expect(() => planDelivery(created("in-app", ORDINARY), { timing: { stepMs: -1 } })).toThrow(RangeError);
    expect(() => planDelivery(created("in-app", ORDINARY), { timing: { firstMs: Number.NaN } })).toThrow(
      /timing.firstMs/,
    );
  });
});

describe("the bodies of a plan", () => {
  it("are valid receipts and replies by the callback specs, and report receipts by the API's", () => {
    for (const [kind, reply] of [
      ["in-app", "keyword"],
      ["in-app", "text"],
      ["push", undefined],
    ] as const) {
      for (const nhsNumber of [ORDINARY, REJECTED, UNNOTIFIED, UNACKNOWLEDGED, READER]) {
        const message = created(kind, nhsNumber, reply);
        const plan = planDelivery(message, { outcomes: { ...outcomes, read: "all" } });
        for (const receipt of plan.receipts) {
          expect(requestBodyIssues("create-realtime-receipt", realtimeReceipt(message, receipt))).toEqual([]);
          const task = reportReceipt(message, receipt, "b2ac2ae7-1a24-4e90-8f3f-9a62c6ebb4e7");
          const page = { resourceType: "Bundle", type: "searchset", link: [{ relation: "self", url: "x" }] };
          expect(
            responseBodyIssues("get-receipt-report", 200, { ...page, entry: [{ fullUrl: "x", resource: task }] }),
          ).toEqual([]);
        }
        if (plan.reply)
          expect(requestBodyIssues("create-realtime-replies", realtimeReply(message, plan.reply))).toEqual([]);
      }
    }
  });

  it("carry the message's identifiers, times with +00:00 in callbacks and Z in the report", () => {
    const message = created("in-app", ORDINARY, "keyword");
    const plan = planDelivery(message, { timing: { stepMs: 1500 } });
    const read = plan.receipts.at(-1);
    if (!read || !plan.reply) throw new Error("expected a Read and a reply");
    expect(realtimeReceipt(message, read)).toEqual({
      resourceType: "Task",
      intent: "order",
      identifier: [
        { system: systems.communicationId, value: message.communicationId },
        { system: systems.campaignId, value: "clinic-7" },
        { system: systems.requestId, value: message.requestReference },
      ],
      status: "completed",
      code: { coding: [{ system: systems.receiptStatus, code: "Read" }] },
      authoredOn: "2026-05-04T10:00:00+00:00",
      lastModified: "2026-05-04T10:00:04+00:00",
    });
    expect(reportReceipt(message, read, "id-1")).toMatchObject({
      id: "id-1",
      authoredOn: "2026-05-04T10:00:00Z",
      lastModified: "2026-05-04T10:00:04Z",
    });
    expect(realtimeReply(message, plan.reply)).toMatchObject({
      contained: [
        { authored: "2026-05-04T10:00:06+00:00", item: [{ linkId: "1", answer: [{ valueCoding: { code: "YES" } }] }] },
      ],
      basedOn: [{ identifier: { system: systems.communicationId, value: message.communicationId } }],
      recipient: [{ type: "Organization", identifier: { system: systems.odsCode, value: "B82041" } }],
      requester: { type: "Patient", identifier: { system: systems.nhsNumber, value: ORDINARY } },
      authoredOn: "2026-05-04T10:00:00+00:00",
    });
  });
});
