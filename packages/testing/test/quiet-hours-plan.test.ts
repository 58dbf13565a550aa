// Push notifications wait for the end of the quiet hours (the spec's
// x-nhs-app-quiet-hours, through the contract's quietHoursEnd): the plan
// holds NotificationAttempted and what follows it, never Delivered, and says
// so (pushHold). Also the test patients, whose outcomes are fixed by number.
import { freeTextReply, inAppMessage, keywordReply, pushNotification } from "@nhs-app-api/client";
import { isValidNhsNumber, QUIET_HOURS_RULE } from "@nhs-app-api/contract";
import { describe, expect, it } from "vitest";
import { createdMessage } from "../src/created-messages.js";
import { planDelivery } from "../src/delivery-plan.js";
import { TEST_PATIENTS, testNhsNumber } from "../src/index.js";

const ORDINARY = testNhsNumber(1);

function message(kind: "in-app" | "push", at: string, nhsNumber = ORDINARY, reply?: "keyword" | "text") {
  const body =
    kind === "push"
      ? pushNotification({ nhsNumber, text: "Hi", url: "https://www.nhsapp.service.nhs.uk/" })
      : inAppMessage({
          nhsNumber,
          odsCode: "B82041",
          text: "Hello",
          ...(reply === "keyword" ? { reply: keywordReply(["YES", "NO"]) } : {}),
          ...(reply === "text" ? { reply: freeTextReply() } : {}),
        });
  return createdMessage(
    kind === "push" ? "create-notification" : "create-in-app",
    body,
    crypto.randomUUID(),
    new Date(at),
  );
}

const times = (plan: ReturnType<typeof planDelivery>) => plan.receipts.map((receipt) => [receipt.kind, receipt.at]);
const TIMING = { timing: { firstMs: 0, stepMs: 60_000 } };

describe("push notifications in the quiet hours", () => {
  it("delivers an in-app message at once at 23:15 UK time in winter, and holds its notification until 06:00", () => {
    const plan = planDelivery(message("in-app", "2026-12-05T23:15:00.000Z", ORDINARY, "keyword"), TIMING);
    expect(times(plan)).toEqual([
      ["Delivered", "2026-12-05T23:15:00.000Z"],
      ["NotificationAttempted", "2026-12-06T06:00:00.000Z"],
      ["Notified", "2026-12-06T06:01:00.000Z"],
      ["Read", "2026-12-06T06:02:00.000Z"],
    ]);
    expect(plan.reply?.at).toBe("2026-12-06T06:03:00.000Z");
    expect(plan.pushHold).toEqual({
      requestedAt: "2026-12-05T23:16:00.000Z",
      until: "2026-12-06T06:00:00.000Z",
      rule: QUIET_HOURS_RULE,
    });
  });

  it("holds a push notification sent at 22:00 BST (21:00 UTC) until 06:00 BST (05:00 UTC)", () => {
    const plan = planDelivery(message("push", "2026-07-01T21:00:00.000Z"), TIMING);
    expect(times(plan)).toEqual([
      ["NotificationAttempted", "2026-07-02T05:00:00.000Z"],
      ["Notified", "2026-07-02T05:01:00.000Z"],
    ]);
  });

  it("holds nothing outside the quiet hours: 21:59 and 06:00 UK time", () => {
    const evening = planDelivery(message("push", "2026-12-05T21:58:00.000Z"), TIMING);
    expect(evening.pushHold).toBeUndefined();
    expect(times(evening)[0]).toEqual(["NotificationAttempted", "2026-12-05T21:58:00.000Z"]);
    const morning = planDelivery(message("push", "2026-12-06T06:00:00.000Z"), TIMING);
    expect(morning.pushHold).toBeUndefined();
  });

  it("holds a notification asked for after 22:00 even when the message came before (the hold is at NotificationAttempted)", () => {
    const plan = planDelivery(message("in-app", "2026-12-05T21:59:30.000Z"), TIMING);
    expect(times(plan).slice(0, 2)).toEqual([
      ["Delivered", "2026-12-05T21:59:30.000Z"],
      ["NotificationAttempted", "2026-12-06T06:00:00.000Z"],
    ]);
  });

  it("holds nothing for a patient with notifications off: no notification is attempted", () => {
    const plan = planDelivery(message("in-app", "2026-12-05T23:15:00.000Z"), {
      ...TIMING,
      outcomes: { unnotified: [ORDINARY], read: "all" },
    });
    expect(plan.pushHold).toBeUndefined();
    expect(times(plan)).toEqual([
      ["Delivered", "2026-12-05T23:15:00.000Z"],
      ["Unnotified", "2026-12-05T23:16:00.000Z"],
      ["Read", "2026-12-05T23:17:00.000Z"],
    ]);
  });
});

describe("test patients", () => {
  const by = (name: string) => TEST_PATIENTS.find((patient) => patient.name === name)?.nhsNumber as string;
  const kinds = (nhsNumber: string, reply?: "keyword" | "text") =>
    planDelivery(message("in-app", "2026-12-05T12:00:00.000Z", nhsNumber, reply), TIMING).receipts.map((r) => r.kind);

  it("have valid, distinct NHS numbers that testNhsNumber does not hand out", () => {
    const numbers = TEST_PATIENTS.map((patient) => patient.nhsNumber);
    expect(numbers.every(isValidNhsNumber)).toBe(true);
    expect(new Set(numbers).size).toBe(numbers.length);
    const handedOut = new Set(Array.from({ length: 1000 }, (_, n) => testNhsNumber(n)));
    expect(numbers.filter((number) => handedOut.has(number))).toEqual([]);
  });

  it("fare as their outcome says, with no scenario", () => {
    expect(kinds(by("rejected"))).toEqual(["Rejected"]);
    expect(kinds(by("notifications-off"))).toEqual(["Delivered", "Unnotified"]);
    expect(kinds(by("not-acknowledged"))).toEqual(["Delivered", "NotificationAttempted"]);
    expect(kinds(by("never-reads"), "keyword")).toEqual(["Delivered", "NotificationAttempted", "Notified"]);
    expect(kinds(by("reads"))).toEqual(["Delivered", "NotificationAttempted", "Notified", "Read"]);
    expect(kinds(by("notifications-off-reads"), "text")).toEqual(["Delivered", "Unnotified", "Read"]);
    const reads = planDelivery(message("in-app", "2026-12-05T12:00:00.000Z", by("reads"), "keyword"), TIMING);
    expect(reads.reply).toBeUndefined();
    const replies = planDelivery(
      message("in-app", "2026-12-05T12:00:00.000Z", by("reads-and-replies"), "text"),
      TIMING,
    );
    expect(replies.reply?.answer.kind).toBe("text");
  });

  it("give way to a scenario that names them", () => {
    const number = by("rejected");
    expect(
      planDelivery(message("in-app", "2026-12-05T12:00:00.000Z", number), {
        outcomes: { unnotified: [number] },
      }).receipts.map((r) => r.kind),
    ).toEqual(["Delivered", "Unnotified"]);
  });
});
