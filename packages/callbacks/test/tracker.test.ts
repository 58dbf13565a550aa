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
