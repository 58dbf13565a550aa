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
import type { Receipt as ReportTask } from "@nhs-app-api/types";
import { type Receipt, receiptFromTask } from "./receipts.js";

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

// Own properties only: a receipt code such as "constructor" must not pass for a state.
const isState = (kind: string): kind is DeliveryState => Object.hasOwn(RANK, kind) && kind !== "Received";

/** Sets an event time as plain data, even for a key such as "__proto__" that assignment would swallow. */
const setEvent = (events: Record<string, string>, kind: string, at: string) =>
  Object.defineProperty(events, kind, { value: at, enumerable: true, writable: true, configurable: true });

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
  const known = Object.hasOwn(status.events, receipt.kind) ? status.events[receipt.kind] : undefined;
  if (!known || receipt.occurredAt < known) setEvent(status.events, receipt.kind, receipt.occurredAt);
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
  /**
   * Applies a receipt and returns the message's new status. Takes a receipt
   * from parseReceipt (the real-time callbacks) or a Task of the daily report
   * as `@nhs-app-api/client`'s `receipts.items(day)` yields it; throws a
   * TypeError, changing nothing, for anything else.
   */
  record(receipt: Receipt | ReportTask): MessageStatus;
  get(communicationId: string): MessageStatus | undefined;
  all(): MessageStatus[];
  /** Plain JSON, to store and later pass to createDeliveryTracker. */
  snapshot(): DeliverySnapshot;
}

/** A receipt as the reducer wants it, from either source; a TypeError says what is wrong. */
function toReceipt(input: Receipt | ReportTask): Receipt {
  if ((input as { resourceType?: unknown })?.resourceType === "Task") {
    const normalised = receiptFromTask(input);
    if (normalised.ok) return normalised.receipt;
    throw new TypeError(`Not a receipt Task: ${normalised.issues.map((i) => i.diagnostics).join("; ")}`);
  }
  const receipt = input as Partial<Receipt> | null;
  const problems = (["communicationId", "kind", "occurredAt"] as const).filter(
    (field) => typeof receipt?.[field] !== "string" || receipt[field] === "",
  );
  if (problems.length > 0) throw new TypeError(`Not a receipt: ${problems.join(", ")} must be non-empty strings`);
  return input as Receipt;
}

/** A stored status, checked before it is trusted: a bad snapshot is refused whole, saying where. */
function restore(message: unknown, index: number): MessageStatus {
  const m = message as Partial<MessageStatus> | null;
  const where = `snapshot.messages[${index}]`;
  if (typeof m?.communicationId !== "string" || m.communicationId === "")
    throw new TypeError(`${where}.communicationId must be a non-empty string`);
  if (typeof m.state !== "string" || !Object.hasOwn(RANK, m.state))
    throw new TypeError(`${where}.state must be one of ${Object.keys(RANK).join(", ")}`);
  const events = m.events as unknown;
  if (typeof events !== "object" || events === null || Array.isArray(events))
    throw new TypeError(`${where}.events must be an object of times`);
  const restored: MessageStatus = { communicationId: m.communicationId, state: m.state, final: false, events: {} };
  for (const [kind, at] of Object.entries(events)) {
    if (typeof at !== "string") throw new TypeError(`${where}.events.${kind} must be a time`);
    setEvent(restored.events, kind, at);
  }
  if (typeof m.reason === "string") restored.reason = m.reason;
  // Derived, not trusted: final follows from the state.
  restored.final = restored.state === "Read" || restored.state === "Rejected";
  return restored;
}

export function createDeliveryTracker(snapshot?: DeliverySnapshot): DeliveryTracker {
  if (snapshot && snapshot.version !== 1)
    throw new Error(`Unknown delivery snapshot version ${String(snapshot.version)}`);
  if (snapshot && !Array.isArray(snapshot.messages)) throw new TypeError("snapshot.messages must be an array");
  const messages = new Map<string, MessageStatus>(
    (snapshot?.messages ?? []).map((m, index) => {
      const restored = restore(m, index);
      return [restored.communicationId, restored];
    }),
  );
  return {
    record(input) {
      const receipt = toReceipt(input);
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
