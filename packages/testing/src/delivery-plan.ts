// What happens to a message after the gateway accepts it, as the NHS App's
// delivery state model says (contract notes § 9), for a chosen scenario:
//
//   Received -> Rejected                                              (end)
//   Received -> Delivered -> NotificationAttempted -> Notified -> Read
//                         -> NotificationAttempted ------------> Read (not acknowledged)
//                         -> Unnotified -----------------------> Read (notifications off)
//
// A plan is plain data: the receipts in order, each with its time, and the
// patient's reply when the message offered one and was read. The receipt
// report shows the receipts whose time has come; the callback delivery posts
// them at those times. The receipt codes are the contract's.
import { type enums, QUIET_HOURS_RULE, quietHoursEnd } from "@nhs-app-api/contract";
import { receiptExamples } from "./callback-examples.js";
import type { CreatedMessage } from "./created-messages.js";
import { testPatient } from "./test-patients.js";

/** A receipt code of the spec (`Delivered`, `Rejected`, ...), from the contract package. */
export type ReceiptKind = (typeof enums.receiptCodes)[number];

/** A patient's answer to a message that offered a reply: one of its keywords, or their own words. */
export type ReplyAnswer = { kind: "keyword"; code: string } | { kind: "text"; text: string };

/** The reply a message offered: keywords to pick from, or free text. */
export type ReplyOffer = { kind: "keyword"; codes: readonly string[] } | { kind: "text" };

/** Milliseconds between the events of a plan. */
export interface DeliveryTiming {
  /** From acceptance to the first receipt (default 0: the report lists a message as soon as it is accepted). */
  firstMs?: number;
  /** From one receipt to the next (default {@link DEFAULT_DELIVERY_TIMING}.stepMs). */
  stepMs?: number;
  /** From Read to the patient's reply (default the same as `stepMs`). */
  replyMs?: number;
}

/**
 * Outcomes chosen by the recipient's NHS number. A number in more than one
 * list takes the first that applies of rejected, unnotified, notAcknowledged.
 */
export interface DeliveryOutcomes {
  /** Messages to these patients are rejected (`statusReason` as the spec's example: "NHS number not found"). */
  rejected?: readonly string[];
  /** These patients turned notifications off: Delivered, then Unnotified (push: Unnotified alone). */
  unnotified?: readonly string[];
  /** No device of these patients acknowledges the notification: NotificationAttempted, never Notified. */
  notAcknowledged?: readonly string[];
  /**
   * Whose in-app messages are read: `"all"`, `"none"`, these NHS numbers, or
   * (the default) `"reply-offered"`: the messages that offered a reply, which
   * the patient then answers. A push notification has no Read.
   */
  read?: "all" | "none" | "reply-offered" | readonly string[];
}

/** The answers patients give to messages that offered a reply. */
export interface ReplyScenario {
  /**
   * The keyword picked: a fixed one (sent as given, even if it was not
   * offered, to test how an endpoint takes that), or a function of the
   * keywords offered. Default: the first keyword offered. `undefined` from
   * the function means no reply.
   */
  keyword?: string | ((offered: readonly string[], message: CreatedMessage) => string | undefined);
  /** The free text written (default {@link DEFAULT_FREE_TEXT_REPLY}); `undefined` from the function means no reply. */
  text?: string | ((message: CreatedMessage) => string | undefined);
}

/** How messages fare after they are accepted. Every part is optional. */
export interface DeliveryScenario {
  timing?: DeliveryTiming;
  outcomes?: DeliveryOutcomes;
  replies?: ReplyScenario;
}

export interface PlannedReceipt {
  kind: ReceiptKind;
  status: "completed" | "rejected";
  /** Why it was rejected (Rejected only). */
  reason?: string;
  /** Milliseconds after the message was accepted. */
  offsetMs: number;
  /** When it happens: ISO 8601, UTC. */
  at: string;
  /** `control` when someone made it happen now (the sandbox's control API); otherwise as planned. */
  source?: "control";
}

export interface PlannedReply {
  answer: ReplyAnswer;
  /** Milliseconds after the message was accepted. */
  offsetMs: number;
  /** When the patient answers: ISO 8601, UTC. */
  at: string;
  /** `control` when someone made the patient reply now; otherwise as planned. */
  source?: "control";
}

/** A push notification held for the quiet hours: asked for at `requestedAt`, sent at `until` (ISO 8601, UTC). */
export interface PushHold {
  requestedAt: string;
  until: string;
  rule: string;
}

export interface DeliveryPlan {
  communicationId: string;
  /** The receipts, in the order they happen. */
  receipts: PlannedReceipt[];
  /** The patient's reply, after Read, when the message offered one and the patient answers. */
  reply?: PlannedReply;
  /** When its push notification fell in the quiet hours and waits for their end (the receipts from NotificationAttempted on wait with it). */
  pushHold?: PushHold;
}

/** Quick by default, so that tests need not wait. */
export const DEFAULT_DELIVERY_TIMING: Readonly<Required<DeliveryTiming>> = Object.freeze({
  firstMs: 0,
  stepMs: 20,
  replyMs: 20,
});

/** What a patient writes to a free-text reply unless a scenario says otherwise. */
export const DEFAULT_FREE_TEXT_REPLY = "Yes, that time suits me. Thank you.";

let rejection: string | undefined;
/**
 * The reason a Rejected receipt gives: the spec's own example's. A spec
 * whose Rejected example has lost its reason is an error here, not a reason
 * made up: the reason is a fact of the contract.
 */
export function rejectionReason(): string {
  if (rejection !== undefined) return rejection;
  const example = receiptExamples().find((candidate) => candidate.body.code.coding[0]?.code === "Rejected");
  const reason = example?.body.statusReason?.text;
  if (reason === undefined) {
    throw new Error(
      "The realtime receipts spec has no Rejected example with a statusReason.text: the sandbox takes a rejection's reason from it",
    );
  }
  rejection = reason;
  return reason;
}

/** The reply an in-app message offered, if any: read from its contained Questionnaire. */
export function replyOffered(message: CreatedMessage): ReplyOffer | undefined {
  if (message.kind !== "in-app") return undefined;
  const item = message.body.contained?.[0]?.item[0];
  if (!item) return undefined;
  if (item.type === "text") return { kind: "text" };
  return { kind: "keyword", codes: item.answerOption.map((option) => option.valueCoding.code) };
}

function checkedTiming(timing: DeliveryTiming = {}): Required<DeliveryTiming> {
  const stepMs = timing.stepMs ?? DEFAULT_DELIVERY_TIMING.stepMs;
  const checked = {
    firstMs: timing.firstMs ?? DEFAULT_DELIVERY_TIMING.firstMs,
    stepMs,
    replyMs: timing.replyMs ?? stepMs,
  };
  for (const [name, ms] of Object.entries(checked)) {
    if (!(Number.isFinite(ms) && ms >= 0)) {
      throw new RangeError(`timing.${name} must be a number of milliseconds, 0 or more (it is ${ms})`);
    }
  }
  return checked;
}

/**
 * Checks a scenario's timing once, and that the spec gives what a plan
 * takes from it, so that a typo or a spec that lost a fact fails when a
 * sandbox starts rather than on its first message.
 */
export function checkDeliveryScenario(scenario: DeliveryScenario = {}): void {
  checkedTiming(scenario.timing);
  rejectionReason();
}

const listed = (list: readonly string[] | undefined, nhsNumber: string) => list?.includes(nhsNumber) === true;

function isRead(message: CreatedMessage, read: DeliveryOutcomes["read"], offer: ReplyOffer | undefined): boolean {
  if (message.kind !== "in-app") return false;
  // A list names whom it names: a test patient not in it keeps their own habit.
  const patient = testPatient(message.nhsNumber);
  if (patient && !(Array.isArray(read) && read.includes(message.nhsNumber))) return patient.reads;
  if (read === undefined || read === "reply-offered") return offer !== undefined;
  if (read === "all") return true;
  if (read === "none") return false;
  return read.includes(message.nhsNumber);
}

/** The way a message takes at the state model's branches (whether it is read aside). */
export type DeliveryBranch = "rejected" | "unnotified" | "not-acknowledged" | "notified";

/** The receipt kinds a message of this kind goes through, in order, following the state model. */
export function deliveryPath(kind: CreatedMessage["kind"], branch: DeliveryBranch, read: boolean): ReceiptKind[] {
  if (branch === "rejected") return ["Rejected"];
  const notification: ReceiptKind[] =
    branch === "unnotified"
      ? ["Unnotified"]
      : branch === "not-acknowledged"
        ? ["NotificationAttempted"]
        : ["NotificationAttempted", "Notified"];
  // A push notification has no inbox: nothing to deliver or read, only the notification.
  if (kind === "push") return notification;
  return ["Delivered", ...notification, ...(read ? (["Read"] as const) : [])];
}

/** The receipt kinds a message goes through, its branch chosen by its recipient's NHS number. */
function pathOf(message: CreatedMessage, outcomes: DeliveryOutcomes, read: boolean): ReceiptKind[] {
  const { nhsNumber } = message;
  const branch: DeliveryBranch = listed(outcomes.rejected, nhsNumber)
    ? "rejected"
    : listed(outcomes.unnotified, nhsNumber)
      ? "unnotified"
      : listed(outcomes.notAcknowledged, nhsNumber)
        ? "not-acknowledged"
        : (testPatient(nhsNumber)?.branch ?? "notified");
  return deliveryPath(message.kind, branch, read);
}

function answerOf(message: CreatedMessage, offer: ReplyOffer, replies: ReplyScenario): ReplyAnswer | undefined {
  if (offer.kind === "keyword") {
    const { keyword } = replies;
    const code = typeof keyword === "function" ? keyword(offer.codes, message) : (keyword ?? offer.codes[0]);
    return code === undefined ? undefined : { kind: "keyword", code };
  }
  const { text } = replies;
  const written = typeof text === "function" ? text(message) : (text ?? DEFAULT_FREE_TEXT_REPLY);
  return written === undefined ? undefined : { kind: "text", text: written };
}

/** What happens to an accepted message in a scenario: its receipts in order with their times, and its reply. */
export function planDelivery(message: CreatedMessage, scenario: DeliveryScenario = {}): DeliveryPlan {
  const timing = checkedTiming(scenario.timing);
  const outcomes = scenario.outcomes ?? {};
  const offer = replyOffered(message);
  const read = isRead(message, outcomes.read, offer);
  const acceptedAt = Date.parse(message.receivedAt);
  const at = (offsetMs: number) => new Date(acceptedAt + offsetMs).toISOString();
  // The push notification is attempted at NotificationAttempted: in the quiet hours it waits for their end, and what follows waits with it.
  let heldMs = 0;
  let pushHold: PushHold | undefined;
  const receipts = pathOf(message, outcomes, read).map((kind, index): PlannedReceipt => {
    let offsetMs = timing.firstMs + index * timing.stepMs;
    if (kind === "NotificationAttempted") {
      const asked = acceptedAt + offsetMs;
      const sent = quietHoursEnd(asked);
      if (sent > asked) {
        heldMs = sent - asked;
        pushHold = { requestedAt: at(offsetMs), until: new Date(sent).toISOString(), rule: QUIET_HOURS_RULE };
      }
    }
    offsetMs += heldMs;
    return kind === "Rejected"
      ? { kind, status: "rejected", reason: rejectionReason(), offsetMs, at: at(offsetMs) }
      : { kind, status: "completed", offsetMs, at: at(offsetMs) };
  });
  const plan: DeliveryPlan = { communicationId: message.communicationId, receipts, ...(pushHold ? { pushHold } : {}) };
  const last = receipts.at(-1);
  const patient = testPatient(message.nhsNumber);
  if (offer && last?.kind === "Read" && (patient === undefined || patient.replies)) {
    const answer = answerOf(message, offer, scenario.replies ?? {});
    if (answer) {
      const offsetMs = last.offsetMs + timing.replyMs;
      plan.reply = { answer, offsetMs, at: at(offsetMs) };
    }
  }
  return plan;
}

/** The receipts of a plan that have happened by `now` (epoch ms). */
export function receiptsBy(plan: DeliveryPlan, now: number): PlannedReceipt[] {
  return plan.receipts.filter((receipt) => Date.parse(receipt.at) <= now);
}
