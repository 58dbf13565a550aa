import type { Receipt as ReportTask } from "@nhs-app-api/types";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createDeliveryTracker, type Receipt } from "../src/index.js";

const at = (minute: number) => new Date(Date.UTC(2026, 0, 5, 9, minute)).toISOString();
const receipt = (id: string, kind: string, minute: number, extra: Partial<Receipt> = {}): Receipt => ({
  communicationId: id,
  kind,
  status: kind === "Rejected" ? "rejected" : "completed",
  authoredOn: at(0),
  occurredAt: at(minute),
  ...extra,
});

/** Journeys whose final states are known, one per path through the state model. */
const journeys: { id: string; receipts: Receipt[]; final: string; isFinal: boolean }[] = [
  {
    id: "read-after-notified",
    receipts: [
      receipt("a", "Delivered", 1),
      receipt("a", "NotificationAttempted", 2),
      receipt("a", "Notified", 3),
      receipt("a", "Read", 9),
    ],
    final: "Read",
    isFinal: true,
  },
  {
    id: "read-after-unnotified",
    receipts: [receipt("b", "Delivered", 1), receipt("b", "Unnotified", 2), receipt("b", "Read", 5)],
    final: "Read",
    isFinal: true,
  },
  {
    id: "notified-not-read",
    receipts: [receipt("c", "Delivered", 1), receipt("c", "NotificationAttempted", 2), receipt("c", "Notified", 4)],
    final: "Notified",
    isFinal: false,
  },
  {
    id: "rejected",
    receipts: [receipt("d", "Rejected", 1, { reason: "NHS number not found" })],
    final: "Rejected",
    isFinal: true,
  },
  { id: "delivered-only", receipts: [receipt("e", "Delivered", 1)], final: "Delivered", isFinal: false },
  {
    // No device acknowledged the push, and the patient read the message anyway.
    id: "read-after-notification-attempted",
    receipts: [receipt("f", "Delivered", 1), receipt("f", "NotificationAttempted", 2), receipt("f", "Read", 7)],
    final: "Read",
    isFinal: true,
  },
  {
    id: "unnotified-not-read",
    receipts: [receipt("g", "Delivered", 1), receipt("g", "Unnotified", 2)],
    final: "Unnotified",
    isFinal: false,
  },
];

describe("the delivery tracker", () => {
  it("reaches the known final state of every message from a shuffled stream with duplicates", () => {
    const stream = journeys.flatMap((j) => j.receipts);
    fc.assert(
      fc.property(fc.shuffledSubarray([...stream, ...stream], { minLength: stream.length * 2 }), (shuffled) => {
        const tracker = createDeliveryTracker();
        for (const r of shuffled) tracker.record(r);
        for (const journey of journeys) {
          const id = journey.receipts[0]?.communicationId as string;
          const status = tracker.get(id);
          expect(status?.state).toBe(journey.final);
          expect(status?.final).toBe(journey.isFinal);
          for (const r of journey.receipts) expect(status?.events[r.kind]).toBe(r.occurredAt);
        }
      }),
      { numRuns: 200 },
    );
    const tracker = createDeliveryTracker();
    for (const r of journeys[3]?.receipts ?? []) tracker.record(r);
    expect(tracker.get("d")?.reason).toBe("NHS number not found");
  });

  it("never moves a message backwards", () => {
    const tracker = createDeliveryTracker();
    tracker.record(receipt("x", "Read", 9));
    expect(tracker.record(receipt("x", "Delivered", 1)).state).toBe("Read");
    expect(tracker.record(receipt("x", "Notified", 3)).state).toBe("Read");
    expect(tracker.get("x")?.events).toEqual({ Read: at(9), Delivered: at(1), Notified: at(3) });
  });

  it("records unknown future receipt kinds without changing the state", () => {
    const tracker = createDeliveryTracker();
    tracker.record(receipt("y", "Delivered", 1));
    expect(tracker.record(receipt("y", "Archived", 2))).toMatchObject({
      state: "Delivered",
      events: { Archived: at(2) },
    });
  });

  it("keeps receipt codes that share a name with Object's own properties as plain events", () => {
    const tracker = createDeliveryTracker();
    tracker.record(receipt("z", "Delivered", 1));
    for (const [kind, minute] of [
      ["constructor", 2],
      ["__proto__", 3],
      ["toString", 4],
    ] as const) {
      expect(tracker.record(receipt("z", kind, minute)).state).toBe("Delivered");
    }
    const events = tracker.get("z")?.events ?? {};
    expect(Object.keys(events)).toEqual(["Delivered", "constructor", "__proto__", "toString"]);
    expect(Object.getPrototypeOf(events)).toBe(Object.prototype);
    const restored = createDeliveryTracker(JSON.parse(JSON.stringify(tracker.snapshot())));
    expect(Object.keys(restored.get("z")?.events ?? {})).toEqual(Object.keys(events));
  });

  it("takes the daily report's Tasks as the client yields them, beside real-time receipts", () => {
    const tracker = createDeliveryTracker();
    const reportTask: ReportTask = {
      resourceType: "Task",
      id: "0b3c5f4e-2f51-4c54-a4a2-3d8c43c0d9a1",
      intent: "order",
      status: "completed",
      identifier: [{ system: "https://fhir.nhs.uk/Id/nhs-app-communication-id", value: "r" }],
      code: { coding: [{ system: "https://fhir.nhs.uk/CodeSystem/NHSApp-Communication-Status", code: "Read" }] },
      authoredOn: at(0),
      lastModified: "2026-01-05T09:09:00Z",
    } as ReportTask;
    tracker.record(receipt("r", "Delivered", 1));
    expect(tracker.record(reportTask)).toMatchObject({ state: "Read", final: true, events: { Read: at(9) } });
    expect(() => tracker.record({ ...reportTask, identifier: [] })).toThrow(TypeError);
  });

  it("refuses what is not a receipt, and changes nothing", () => {
    const tracker = createDeliveryTracker();
    tracker.record(receipt("k", "Delivered", 1));
    const before = JSON.stringify(tracker.snapshot());
    expect(() => tracker.record({ communicationId: "k", kind: "Read" } as Receipt)).toThrow(
      "Not a receipt: occurredAt must be non-empty strings",
    );
    expect(() => tracker.record({ kind: "Read" } as Receipt)).toThrow(
      "Not a receipt: communicationId, occurredAt must be non-empty strings",
    );
    expect(() => tracker.record(null as unknown as Receipt)).toThrow(TypeError);
    expect(JSON.stringify(tracker.snapshot())).toBe(before);
  });

  it("refuses a snapshot it cannot trust, saying where, and derives finality from the state", () => {
    const good = { communicationId: "s", state: "Read", final: false, events: { Read: at(9) } };
    expect(createDeliveryTracker({ version: 1, messages: [good] as never }).get("s")?.final).toBe(true);
    const bad: [unknown, string][] = [
      [{ ...good, state: "Bogus" }, "snapshot.messages[0].state must be one of"],
      [{ ...good, state: "constructor" }, "snapshot.messages[0].state must be one of"],
      [{ ...good, communicationId: "" }, "snapshot.messages[0].communicationId must be a non-empty string"],
      [{ ...good, events: { Read: 9 } }, "snapshot.messages[0].events.Read must be a time"],
      [{ ...good, events: null }, "snapshot.messages[0].events must be an object of times"],
    ];
    for (const [message, error] of bad) {
      expect(() => createDeliveryTracker({ version: 1, messages: [message] as never })).toThrow(error);
    }
    expect(() => createDeliveryTracker({ version: 1, messages: {} } as never)).toThrow("must be an array");
  });

  it("survives a round trip through a JSON snapshot", () => {
    const tracker = createDeliveryTracker();
    for (const r of journeys.flatMap((j) => j.receipts)) tracker.record(r);
    const restored = createDeliveryTracker(JSON.parse(JSON.stringify(tracker.snapshot())));
    expect(restored.all()).toEqual(tracker.all());
    restored.record(receipt("e", "Unnotified", 3));
    expect(restored.get("e")?.state).toBe("Unnotified");
    expect(tracker.get("e")?.state).toBe("Delivered");
    expect(() => createDeliveryTracker({ version: 2 } as never)).toThrow("Unknown delivery snapshot version 2");
  });
});
