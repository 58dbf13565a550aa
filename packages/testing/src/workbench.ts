// The sandbox as a developer's workbench: one core behind the control API
// (control-api.ts), the inspector page, the CLI's `nhs-app sandbox ...`
// commands and a test's own calls. It shows what the sandbox accepted and
// what happened to it (workbench-views.ts), and makes things happen now: a
// message's next or chosen receipt, a patient's reply, a callback again,
// failures of the next calls of an operation, the clock moved, a reset.
// Every change is made to the message's delivery plan, which the receipt
// report and the callback delivery both read, so the two always agree; the
// delivery state model (delivery-plan.ts) says which changes are possible.
import { enums, isQuietHours, QUIET_HOURS_RULE } from "@nhs-app-api/contract";
import { type CallbackDelivery, type CallbackRecord, replyAnswerProblem } from "./callback-delivery.js";
import type { CreatedMessage } from "./created-messages.js";
import {
  type DeliveryPlan,
  type PlannedReceipt,
  type ReceiptKind,
  type ReplyAnswer,
  rejectionReason,
  replyOffered,
} from "./delivery-plan.js";
import { parseFault } from "./faults.js";
import type { FakeGateway } from "./gateway.js";
import { parseClockTime, parseDuration, type SandboxTime } from "./sandbox-time.js";
import { TEST_PATIENTS, testPatient } from "./test-patients.js";
import type {
  CallbackView,
  ClockView,
  FaultView,
  MessageView,
  TestPatientView,
  WorkbenchView,
} from "./workbench-views.js";

/** A request the workbench cannot carry out: 400 (what was asked is malformed), 404 (no such thing) or 409 (not possible now). */
export class WorkbenchError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly problems: readonly string[],
  ) {
    super(problems.join("; "));
    this.name = "WorkbenchError";
  }
}

export interface WorkbenchOptions {
  gateway: FakeGateway;
  /** The callback delivery, when the sandbox posts callbacks. */
  callbacks?: CallbackDelivery | undefined;
  /** The sandbox's clock, when it may be moved (not when a test gave its own `now`). */
  time?: SandboxTime | undefined;
}

/** What a receipt may be asked for: the next one, or a chosen kind (Rejected with a reason). */
export interface ReceiptRequest {
  receipt?: string;
  reason?: string;
}

/** How the clock is moved: forward by a duration or to a time, and/or a new speed. */
export interface ClockChange {
  /** A duration such as `90m`, `2h`, `1d`. */
  advance?: string;
  advanceMs?: number;
  /** An ISO 8601 time with a zone, not before now. */
  to?: string;
  speed?: number;
}

/** The longest reason a Rejected receipt made here may give. */
const MAX_REASON_LENGTH = 500;
/** The most messages one view lists. */
export const MAX_MESSAGES_LISTED = 1000;

const receiptCodes: readonly string[] = enums.receiptCodes;

export class Workbench {
  readonly #gateway: FakeGateway;
  readonly #callbacks: CallbackDelivery | undefined;
  readonly #time: SandboxTime | undefined;

  constructor(options: WorkbenchOptions) {
    this.#gateway = options.gateway;
    this.#callbacks = options.callbacks;
    this.#time = options.time;
  }

  // --- Seeing ---

  clock(): ClockView {
    const now = this.#gateway.now();
    return {
      now: new Date(now).toISOString(),
      speed: this.#time?.speed ?? 1,
      adjustable: this.#time !== undefined,
      receiptReports: this.#gateway.clock().receiptReports,
      pushQuietHours: { now: isQuietHours(now), rule: QUIET_HOURS_RULE },
    };
  }

  /** The messages accepted, newest first: at most `limit` (default 50) of `total`. */
  messages(limit = 50): { total: number; messages: MessageView[] } {
    const all = this.#gateway.createdMessages;
    const count = Math.max(0, Math.min(limit, MAX_MESSAGES_LISTED, all.length));
    const newest: MessageView[] = [];
    for (let index = all.length - 1; index >= all.length - count; index--) {
      newest.push(this.#view(all[index] as CreatedMessage));
    }
    return { total: all.length, messages: newest };
  }

  message(communicationId: string): MessageView {
    return this.#view(this.#find(communicationId).message);
  }

  callbacks(): CallbackView[] {
    return (this.#callbacks?.callbacks ?? []).map(callbackView);
  }

  faults(): FaultView[] {
    return this.#gateway.faults.list();
  }

  testPatients(): TestPatientView[] {
    return TEST_PATIENTS.map(({ nhsNumber, name, outcome }) => ({ nhsNumber, name, outcome }));
  }

  /** Everything the inspector page shows. */
  view(options: { limit?: number } = {}): WorkbenchView {
    const { total, messages } = this.messages(options.limit);
    const callbackUrl = this.#callbacks?.baseUrl;
    return {
      clock: this.clock(),
      messages,
      totalMessages: total,
      faults: this.faults(),
      testPatients: this.testPatients(),
      ...(callbackUrl === undefined ? {} : { callbackUrl }),
      baseUrl: this.#gateway.baseUrl,
    };
  }

  // --- Making it happen now ---

  /**
   * A message's next receipt now, or a chosen one: a receipt still to come
   * happens now with those planned before it; `Read` of an in-app message
   * not yet read happens now after what was still to come (it may have
   * planned none); `Rejected` replaces the plan while nothing has happened
   * yet. Anything else the state model does not allow is refused (409).
   */
  deliverReceipt(communicationId: string, request: ReceiptRequest = {}): MessageView {
    const { message, plan } = this.#find(communicationId);
    const problems: string[] = [];
    const { receipt, reason } = request;
    if (receipt !== undefined && !receiptCodes.includes(receipt)) {
      problems.push(`receipt must be one of ${receiptCodes.join(", ")} (it is ${JSON.stringify(receipt)})`);
    }
    if (reason !== undefined && receipt !== "Rejected") problems.push("reason goes only with the receipt Rejected");
    if (
      reason !== undefined &&
      (typeof reason !== "string" || reason.trim() === "" || reason.length > MAX_REASON_LENGTH)
    ) {
      problems.push(`reason must be text of 1 to ${MAX_REASON_LENGTH} characters`);
    }
    if (problems.length > 0) throw new WorkbenchError(400, problems);

    const now = this.#gateway.now();
    const { happened, pending } = split(plan, now);
    const so =
      happened.length === 0
        ? "none of its receipts has happened"
        : `its receipts so far: ${happened.map((r) => r.kind).join(", ")}`;
    if (receipt === undefined) {
      const next = pending[0];
      if (!next) {
        throw new WorkbenchError(409, [
          `Every receipt planned for ${communicationId} has happened (${so}); choose one, such as Read`,
        ]);
      }
      this.#happenNow(message, [next], now);
    } else if (pending.some((planned) => planned.kind === receipt)) {
      this.#happenNow(message, pending.slice(0, pending.findIndex((planned) => planned.kind === receipt) + 1), now);
    } else if (receipt === "Rejected") {
      if (happened.length > 0) {
        throw new WorkbenchError(409, [
          `${communicationId} cannot be Rejected now: ${so}, and a message is Rejected only instead of Delivered`,
        ]);
      }
      const accepted = Date.parse(message.receivedAt);
      plan.receipts.splice(0, plan.receipts.length, {
        kind: "Rejected",
        status: "rejected",
        reason: reason?.trim() ?? rejectionReason(),
        offsetMs: Math.max(0, now - accepted),
        at: new Date(now).toISOString(),
        source: "control",
      });
      delete plan.reply;
      delete plan.pushHold;
    } else if (receipt === "Read") {
      this.#readNow(message, plan, now);
    } else {
      throw new WorkbenchError(409, [
        `${receipt} is not to come for ${communicationId} (${so}; still to come: ${pending.map((r) => r.kind).join(", ") || "nothing"})`,
      ]);
    }
    this.#callbacks?.resume(communicationId);
    return this.#view(message);
  }

  /**
   * The patient replies now: a keyword the message offered, or free text the
   * replies contract takes. The message is read first if it was not.
   */
  reply(communicationId: string, answer: { keyword?: unknown; text?: unknown }): MessageView {
    const { message, plan } = this.#find(communicationId);
    const offer = replyOffered(message);
    const problems: string[] = [];
    const given = [answer.keyword, answer.text].filter((part) => part !== undefined && part !== "");
    if (given.length !== 1) problems.push("give exactly one of keyword or text");
    let chosen: ReplyAnswer | undefined;
    if (answer.keyword !== undefined && answer.keyword !== "") {
      if (typeof answer.keyword !== "string") problems.push("keyword must be text");
      else chosen = { kind: "keyword", code: answer.keyword };
    } else if (answer.text !== undefined && answer.text !== "") {
      if (typeof answer.text !== "string") problems.push("text must be text");
      else chosen = { kind: "text", text: answer.text };
    }
    if (problems.length > 0 || !chosen) throw new WorkbenchError(400, problems);
    if (!offer)
      throw new WorkbenchError(409, [`${communicationId} offered no reply (it has no contained Questionnaire)`]);
    if (offer.kind !== chosen.kind) {
      throw new WorkbenchError(400, [
        offer.kind === "keyword"
          ? `${communicationId} offered keywords (${offer.codes.join(", ")}), not free text`
          : `${communicationId} offered a free-text reply, not keywords`,
      ]);
    }
    if (chosen.kind === "keyword" && offer.kind === "keyword" && !offer.codes.includes(chosen.code)) {
      throw new WorkbenchError(400, [`keyword must be one of those offered: ${offer.codes.join(", ")}`]);
    }
    const contract = replyAnswerProblem(chosen);
    if (contract !== undefined)
      throw new WorkbenchError(400, [`${chosen.kind === "text" ? "text" : "keyword"} ${contract}`]);

    const now = this.#gateway.now();
    if (plan.reply && Date.parse(plan.reply.at) <= now) {
      throw new WorkbenchError(409, [`The patient already replied to ${communicationId} (at ${plan.reply.at})`]);
    }
    if (!plan.receipts.some((receipt) => receipt.kind === "Read" && Date.parse(receipt.at) <= now)) {
      this.#readNow(message, plan, now);
    }
    const accepted = Date.parse(message.receivedAt);
    plan.reply = {
      answer: chosen,
      offsetMs: Math.max(0, now - accepted),
      at: new Date(now).toISOString(),
      source: "control",
    };
    this.#callbacks?.resume(communicationId);
    return this.#view(message);
  }

  /** Posts a callback's body again, as a new callback. */
  replay(callbackId: string): CallbackView {
    if (!this.#callbacks) {
      throw new WorkbenchError(409, ["This sandbox posts no callbacks: start it with a callback URL (--callback-url)"]);
    }
    const record = this.#callbacks.replay(callbackId);
    if (!record)
      throw new WorkbenchError(404, [`No callback ${callbackId} (the sandbox's callbacks are cb-1, cb-2, ...)`]);
    return callbackView(record);
  }

  /** The next calls of an operation fail as asked (faults.ts says what may be asked). */
  addFault(input: unknown): FaultView {
    const parsed = parseFault(input);
    if ("problems" in parsed) throw new WorkbenchError(400, parsed.problems);
    const added = this.#gateway.faults.add(parsed.fault);
    return this.faults().find((fault) => fault.id === added.id) as FaultView;
  }

  clearFaults(): void {
    this.#gateway.faults.clear();
  }

  /** Moves the clock forward (by a duration, or to a time) and/or changes its speed. */
  moveClock(change: ClockChange): ClockView {
    const time = this.#time;
    if (!time) {
      throw new WorkbenchError(409, ["This sandbox's clock is the `now` it was given: move that clock instead"]);
    }
    const problems: string[] = [];
    const moves = [change.advance, change.advanceMs, change.to].filter((move) => move !== undefined && move !== "");
    if (moves.length > 1) problems.push("give at most one of advance, advanceMs or to");
    if (moves.length === 0 && (change.speed === undefined || (change.speed as unknown) === "")) {
      problems.push("give advance (such as 90m), advanceMs, to (an ISO 8601 time) or speed");
    }
    let advanceMs: number | undefined;
    let to: number | undefined;
    const attempt = (work: () => void) => {
      try {
        work();
      } catch (error) {
        problems.push((error as Error).message);
      }
    };
    if (change.advance !== undefined && change.advance !== "") {
      attempt(() => {
        if (typeof change.advance !== "string") throw new RangeError("advance must be text, such as 90m");
        advanceMs = parseDuration(change.advance);
      });
    }
    const ms = change.advanceMs as unknown;
    if (ms !== undefined && ms !== "") {
      const value = typeof ms === "string" ? Number(ms) : ms;
      if (!(typeof value === "number" && Number.isFinite(value) && value >= 0)) {
        problems.push(`advanceMs must be milliseconds, 0 or more (it is ${JSON.stringify(ms)})`);
      } else advanceMs = value;
    }
    if (change.to !== undefined && change.to !== "") {
      attempt(() => {
        if (typeof change.to !== "string") throw new RangeError("to must be an ISO 8601 time");
        to = parseClockTime(change.to, "to");
        if (to < time.now()) {
          throw new RangeError(
            `to must not be before the clock's time now (${new Date(time.now()).toISOString()}): the clock moves forward only`,
          );
        }
      });
    }
    const rawSpeed = change.speed as unknown;
    let speed: number | undefined;
    if (rawSpeed !== undefined && rawSpeed !== "") {
      const value = typeof rawSpeed === "string" ? Number(rawSpeed) : rawSpeed;
      if (!(typeof value === "number" && Number.isFinite(value) && value > 0 && value <= 1_000_000)) {
        problems.push(`speed must be a number above 0 and at most 1000000 (it is ${JSON.stringify(rawSpeed)})`);
      } else speed = value;
    }
    if (problems.length > 0) throw new WorkbenchError(400, problems);
    if (speed !== undefined) time.setSpeed(speed);
    if (advanceMs !== undefined) time.advance(advanceMs);
    if (to !== undefined) time.advanceTo(Math.max(to, time.now()));
    return this.clock();
  }

  /** Forgets every message, receipt, reply, callback, fault and recorded request; the clock stays. */
  reset(): void {
    this.#callbacks?.clear();
    this.#gateway.reset();
  }

  // --- Inside ---

  #find(communicationId: string): { message: CreatedMessage; plan: DeliveryPlan } {
    const message = this.#gateway.message(communicationId);
    const plan = message && this.#gateway.planOf(communicationId);
    if (!message || !plan) throw new WorkbenchError(404, [`No message ${communicationId} in this sandbox`]);
    return { message, plan };
  }

  /** These receipts (still to come, in order) happen now. */
  #happenNow(message: CreatedMessage, receipts: readonly PlannedReceipt[], now: number) {
    const offsetMs = Math.max(0, now - Date.parse(message.receivedAt));
    for (const receipt of receipts) {
      receipt.at = new Date(now).toISOString();
      receipt.offsetMs = offsetMs;
      receipt.source = "control";
    }
  }

  /** An in-app message is read now: what was still to come happens now, then Read (added if it was not planned). */
  #readNow(message: CreatedMessage, plan: DeliveryPlan, now: number) {
    const { happened, pending } = split(plan, now);
    if (message.kind !== "in-app")
      throw new WorkbenchError(409, ["A push notification has no Read receipt: it has no inbox"]);
    if (plan.receipts.some((receipt) => receipt.kind === "Rejected")) {
      throw new WorkbenchError(409, [`${message.communicationId} was Rejected: it never reached the patient's inbox`]);
    }
    if (happened.some((receipt) => receipt.kind === "Read")) {
      throw new WorkbenchError(409, [`${message.communicationId} has been Read already`]);
    }
    this.#happenNow(message, pending, now);
    if (!plan.receipts.some((receipt) => receipt.kind === "Read")) {
      const offsetMs = Math.max(0, now - Date.parse(message.receivedAt));
      plan.receipts.push({
        kind: "Read",
        status: "completed",
        offsetMs,
        at: new Date(now).toISOString(),
        source: "control",
      });
    }
  }

  #view(message: CreatedMessage): MessageView {
    const now = this.#gateway.now();
    const plan = this.#gateway.planOf(message.communicationId);
    const offer = replyOffered(message);
    const odsCode = message.kind === "in-app" ? message.body.requester?.identifier?.value : undefined;
    const patient = testPatient(message.nhsNumber);
    return {
      communicationId: message.communicationId,
      kind: message.kind,
      nhsNumber: message.nhsNumber,
      ...(odsCode === undefined ? {} : { odsCode }),
      ...(message.requestReference === undefined ? {} : { requestReference: message.requestReference }),
      ...(message.campaignId === undefined ? {} : { campaignId: message.campaignId }),
      ...(message.onBehalfOf === undefined ? {} : { onBehalfOf: message.onBehalfOf }),
      receivedAt: message.receivedAt,
      body: message.body,
      ...(offer ? { replyOffer: offer } : {}),
      receipts: (plan?.receipts ?? []).map((receipt) => ({
        kind: receipt.kind,
        status: receipt.status,
        ...(receipt.reason === undefined ? {} : { reason: receipt.reason }),
        at: receipt.at,
        happened: Date.parse(receipt.at) <= now,
        source: receipt.source ?? "plan",
      })),
      ...(plan?.pushHold ? { pushHold: { ...plan.pushHold } } : {}),
      ...(plan?.reply
        ? {
            reply: {
              answer: plan.reply.answer,
              at: plan.reply.at,
              happened: Date.parse(plan.reply.at) <= now,
              source: plan.reply.source ?? "plan",
            },
          }
        : {}),
      callbacks: (this.#callbacks?.callbacksOf(message.communicationId) ?? []).map(callbackView),
      ...(patient ? { testPatient: patient.name } : {}),
    };
  }
}

/** A plan's receipts that have happened by `now`, and those still to come, each in order. */
function split(plan: DeliveryPlan, now: number) {
  const happened = plan.receipts.filter((receipt) => Date.parse(receipt.at) <= now);
  const pending = plan.receipts.filter((receipt) => Date.parse(receipt.at) > now);
  return { happened, pending };
}

function callbackView(record: CallbackRecord): CallbackView {
  return {
    id: record.id,
    kind: record.kind,
    ...(record.kind === "receipt" ? { receipt: record.receipt as ReceiptKind } : {}),
    communicationId: record.communicationId,
    url: record.url,
    state: record.state,
    attempts: record.attempts.map((attempt) => ({ ...attempt })),
    ...(record.reason === undefined ? {} : { reason: record.reason }),
    ...(record.replayOf === undefined ? {} : { replayOf: record.replayOf }),
    body: record.body,
  };
}
