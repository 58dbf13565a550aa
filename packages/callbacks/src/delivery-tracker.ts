// Where each message stands, from its receipts, following the NHS App's
// state model:
//
//   Received -> Rejected                                        (final)
//   Received -> Delivered -> NotificationAttempted -> Notified -> Read (final)
//                         -> Unnotified -----------------------> Read
//
// Receipts come from the real-time callbacks and from the daily report, in
// any order and with duplicates; a late or repeated receipt never moves a
// message backwards. The state is plain data with a serialisable snapshot, so
// a supplier can keep it in its own database.
import type { Receipt } from "./receipts.js";

export type DeliveryState =
  | "Received"
  | "Rejected"
  | "Delivered"
  | "NotificationAttempted"
  | "Notified"
  | "Unnotified"
  | "Read";

/** How far along a message is; Rejected outranks everything because it ends the story at once. */
const RANK: Record<DeliveryState, number> = {
  Received: 0,
  Delivered: 1,
  NotificationAttempted: 2,
  Notified: 3,
  Unnotified: 3,
  Read: 4,
  Rejected: 5,
};

const isState = (kind: string): kind is DeliveryState => kind in RANK && kind !== "Received";

export interface MessageStatus {
  communicationId: string;
  state: DeliveryState;
  /** Read and Rejected are final: no receipt can follow. */
  final: boolean;
  /** When each kind of receipt happened (the earliest, if it came more than once), unknown kinds included. */
  events: Record<string, string>;
  /** The reason of a Rejected receipt. */
  reason?: string;
}

export interface DeliverySnapshot {
  version: 1;
  messages: MessageStatus[];
}

/** One receipt applied to one message's status: the reducer at the heart of the tracker. */
export function applyReceipt(current: MessageStatus | undefined, receipt: Receipt): MessageStatus {
  const status: MessageStatus = current
    ? { ...current, events: { ...current.events } }
    : { communicationId: receipt.communicationId, state: "Received", final: false, events: {} };
  const known = status.events[receipt.kind];
  if (!known || receipt.occurredAt < known) status.events[receipt.kind] = receipt.occurredAt;
  if (receipt.kind === "Rejected" && receipt.reason) status.reason = receipt.reason;
  if (isState(receipt.kind)) {
    const next = receipt.kind;
    const rank = RANK[next];
    const currentRank = RANK[status.state];
    // Notified and Unnotified share a rank: the later event says more.
    const sameRankButLater =
      rank === currentRank && next !== status.state && receipt.occurredAt > (status.events[status.state] ?? "");
    if (rank > currentRank || sameRankButLater) status.state = next;
  }
  status.final = status.state === "Read" || status.state === "Rejected";
  return status;
}

export interface DeliveryTracker {
  /** Applies a receipt (from a callback or the daily report); returns the message's new status. */
  record(receipt: Receipt): MessageStatus;
  get(communicationId: string): MessageStatus | undefined;
  all(): MessageStatus[];
  /** Plain JSON, to store and later pass to createDeliveryTracker. */
  snapshot(): DeliverySnapshot;
}

export function createDeliveryTracker(snapshot?: DeliverySnapshot): DeliveryTracker {
  if (snapshot && snapshot.version !== 1)
    throw new Error(`Unknown delivery snapshot version ${String(snapshot.version)}`);
  const messages = new Map<string, MessageStatus>(
    (snapshot?.messages ?? []).map((m) => [m.communicationId, structuredClone(m)]),
  );
  return {
    record(receipt) {
      const next = applyReceipt(messages.get(receipt.communicationId), receipt);
      messages.set(receipt.communicationId, next);
      return structuredClone(next);
    },
    get: (id) => {
      const status = messages.get(id);
      return status ? structuredClone(status) : undefined;
    },
    all: () => [...messages.values()].map((m) => structuredClone(m)),
    snapshot: () => ({ version: 1, messages: [...messages.values()].map((m) => structuredClone(m)) }),
  };
}
