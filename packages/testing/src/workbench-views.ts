// What the sandbox's workbench shows of its state: plain JSON-ready data,
// the same for the control API (`GET /_sandbox/messages`), the inspector page
// and a test. Built by workbench.ts from the gateway, the delivery plans and
// the callback delivery; nothing here is a second copy of a rule.
import type { InAppCommunicationRequest, PushNotificationRequest } from "@nhs-app-api/types";
import type { ReceiptKind, ReplyAnswer, ReplyOffer } from "./delivery-plan.js";

/** One try of a callback: when, and what the endpoint answered (a status) or why there was none. */
export interface CallbackAttemptView {
  /** When the try began, ISO 8601 UTC, on the sandbox's clock. */
  at: string;
  /** The endpoint's status, when it answered. */
  status?: number;
  /** Why the try failed (no answer, a status other than 202); absent for a 202. */
  reason?: string;
}

/** A callback the sandbox posted (or tried, or refused to post) to the supplier's endpoint. */
export interface CallbackView {
  /** Its ID in this sandbox (`cb-1`, `cb-2`, ...): replay it by this. */
  id: string;
  kind: "receipt" | "reply";
  /** The receipt it carries (receipt callbacks only). */
  receipt?: ReceiptKind;
  communicationId: string;
  url: string;
  /** `sending` while tries go on; `delivered` once answered 202; `undelivered` when the tries ran out or it was never posted. */
  state: "sending" | "delivered" | "undelivered";
  attempts: CallbackAttemptView[];
  /** Why it was given up, when it was. */
  reason?: string;
  /** The callback this one replays, when it is a replay. */
  replayOf?: string;
  /** The body posted, as JSON. */
  body: unknown;
}

/** A receipt of a message: planned, or happened by the sandbox's clock. */
export interface ReceiptView {
  kind: ReceiptKind;
  status: "completed" | "rejected";
  reason?: string;
  /** When it happens (or happened), ISO 8601 UTC. */
  at: string;
  /** Whether its time has come: the receipt report lists it, and its callback is due. */
  happened: boolean;
  /** `plan` as the scenario planned it; `control` when someone made it happen now (the control API, CLI or page). */
  source: "plan" | "control";
}

/** The push notification's hold for the quiet hours: asked for at `requestedAt`, sent at `until`. */
export interface PushHoldView {
  requestedAt: string;
  until: string;
  /** The rule, in words (from the contract). */
  rule: string;
}

/** The patient's reply: planned, or made. */
export interface ReplyView {
  answer: ReplyAnswer;
  at: string;
  happened: boolean;
  source: "plan" | "control";
}

/** One message the sandbox accepted, with everything that happened to it. */
export interface MessageView {
  communicationId: string;
  kind: "in-app" | "push";
  nhsNumber: string;
  /** The sender's ODS code (in-app `requester`), when given. */
  odsCode?: string;
  requestReference?: string;
  campaignId?: string;
  onBehalfOf?: string;
  /** When the sandbox accepted it, ISO 8601 UTC. */
  receivedAt: string;
  /** The request body, as sent. */
  body: InAppCommunicationRequest | PushNotificationRequest;
  /** The reply it offered: keywords or free text. */
  replyOffer?: ReplyOffer;
  /** The receipts, in order: those that happened and those still to come. */
  receipts: ReceiptView[];
  /** When the push notification waits for the end of the quiet hours. */
  pushHold?: PushHoldView;
  reply?: ReplyView;
  /** The callbacks posted for it, in the order they began (empty without a callback URL). */
  callbacks: CallbackView[];
  /** The test patient it was sent to, when its NHS number is one (its fixed outcome). */
  testPatient?: string;
}

/** A fault the gateway will answer with instead of the next calls of an operation. */
export interface FaultView {
  id: string;
  /** The operation (`create-in-app`, `get-receipt-report`, ..., or `token` for the token endpoint). */
  operation: string;
  /** How many calls it still applies to. */
  remaining: number;
  /** What those calls get. */
  answer:
    | { kind: "status"; status: number; retryAfterSeconds?: number }
    | { kind: "drop" }
    | { kind: "slow"; delayMs: number };
  /** Whether the call is processed first (a message created) and only its answer replaced: the ambiguous case. */
  processed: boolean;
}

/** A test patient: an NHS number (valid check digit) whose messages always fare the same way. */
export interface TestPatientView {
  nhsNumber: string;
  /** A short name for the outcome (`rejected`, `never-notified`, ...). */
  name: string;
  /** What happens to messages sent to this patient, in words. */
  outcome: string;
}

/** The sandbox's clock as the workbench shows it. */
export interface ClockView {
  now: string;
  /** How fast it runs against real time (1: real time). */
  speed: number;
  /** Whether it can be moved (false when a test gave the sandbox its own `now`). */
  adjustable: boolean;
  receiptReports: { completeBefore: string; rule: string };
  pushQuietHours: { now: boolean; rule: string };
}

/** Everything the inspector page shows. */
export interface WorkbenchView {
  clock: ClockView;
  /** Newest first: at most the page's worth. */
  messages: MessageView[];
  /** How many messages the sandbox has accepted in all. */
  totalMessages: number;
  faults: FaultView[];
  testPatients: TestPatientView[];
  /** The callback base URL, when callbacks are posted. */
  callbackUrl?: string;
  /** The API's base URL, for the page's "how to connect" section. */
  baseUrl: string;
}
