// The NHS App's side of the callbacks, simulated: for each accepted message,
// its real-time receipts posted to the supplier's endpoint as its delivery
// plan times them (`POST {baseUrl}/FHIR/R4/Task`), then the patient's reply
// (`POST {baseUrl}/FHIR/R4/CommunicationRequest`), over mutual TLS when given
// a client certificate. A message's callbacks go one after another, in the
// plan's order. Anything but 202, or no answer, is tried again a bounded
// number of times with exponential backoff; what never got through is kept
// in `undelivered` and logged. stop() cancels every timer and request.
// Every body is checked against its callback contract before it is posted
// (one that breaks it is never sent), plain http goes only to this machine,
// and fixed reply settings the contract refuses are refused when made.
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { createRequire } from "node:module";
import { operations, requestBodyIssues } from "@nhs-app-api/contract";
import type { RealtimeReceipt } from "@nhs-app-api/types/realtime-receipts";
import type { RealtimeReply } from "@nhs-app-api/types/realtime-replies";
import type { CreatedMessage } from "./created-messages.js";
import { answersId, realtimeReceipt, realtimeReply } from "./delivery-bodies.js";
import {
  checkDeliveryScenario,
  type DeliveryPlan,
  type DeliveryScenario,
  type PlannedReceipt,
  planDelivery,
  type ReceiptKind,
  type ReplyAnswer,
  type ReplyScenario,
} from "./delivery-plan.js";

/**
 * The clock a delivery keeps: when each callback falls due and how long a
 * retry waits. The real one unless a test gives its own, to move by hand.
 */
export interface DeliveryClock {
  /** Milliseconds on a clock that never goes back, as performance.now(). */
  now(): number;
  /** Calls `fire` once `ms` have passed; the function it returns cancels that. */
  after(ms: number, fire: () => void): () => void;
  /** The time, epoch ms, that each try is recorded at (default: Date.now()). */
  epochMs?(): number;
}

const REAL_CLOCK: DeliveryClock = {
  now: () => performance.now(),
  after(ms, fire) {
    const timer = setTimeout(fire, ms);
    return () => clearTimeout(timer);
  },
};

/** The client side of mutual TLS: the certificate and key the "NHS App" presents, and the CA that signed the endpoint's. */
export interface CallbackTls {
  cert: string | Buffer;
  key: string | Buffer;
  ca: string | Buffer | (string | Buffer)[];
}

/** How a callback that did not get a 202 is tried again. */
export interface CallbackRetry {
  /** Tries after the first (default 4). */
  retries?: number;
  /** Wait before the first retry, in ms (default 250); each later wait is `factor` times the one before. */
  initialDelayMs?: number;
  /** Default 2. */
  factor?: number;
  /** The longest wait, in ms (default 10 000). */
  maxDelayMs?: number;
}

export interface CallbackDeliveryOptions {
  /** The supplier's callback base URL (https, or http for a plain local endpoint); the spec's paths go under it. */
  baseUrl: string;
  /** A client certificate, key and CA, for an endpoint behind mutual TLS. */
  tls?: CallbackTls;
  /** Timing, outcomes and replies (see planDelivery); used when `deliver` is not given a plan. */
  scenario?: DeliveryScenario;
  retry?: CallbackRetry;
  /** How long one attempt may take, connection to answer, in ms (default {@link DEFAULT_CALLBACK_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** Told one line for each callback that could not be delivered (default: standard error). */
  log?: (line: string) => void;
  /**
   * What the plan's times and the retries' waits are kept by (default: the
   * real clock). An attempt's `timeoutMs` is on the real clock always: it is
   * about the network.
   */
  clock?: DeliveryClock;
}

export const DEFAULT_CALLBACK_RETRY: Readonly<Required<CallbackRetry>> = Object.freeze({
  retries: 4,
  initialDelayMs: 250,
  factor: 2,
  maxDelayMs: 10_000,
});

/** How long one attempt may take, connection to answer, unless `timeoutMs` says otherwise. */
export const DEFAULT_CALLBACK_TIMEOUT_MS = 10_000;

/** A callback the simulator sends: a receipt (with its kind) or a reply. */
export type CallbackCall =
  | { kind: "receipt"; receipt: ReceiptKind; communicationId: string; url: string; body: RealtimeReceipt }
  | { kind: "reply"; communicationId: string; url: string; body: RealtimeReply };

/** One try of a callback: when it began (ISO 8601), and the endpoint's status or why there was none. */
export interface CallbackAttempt {
  at: string;
  status?: number;
  reason?: string;
}

/**
 * Everything about one callback, as it goes: its ID in this delivery
 * (`cb-1`, ...), each try, and where it stands. A replay is a callback of
 * its own that names the one it replays.
 */
export type CallbackRecord = CallbackCall & {
  id: string;
  state: "sending" | "delivered" | "undelivered";
  attempts: CallbackAttempt[];
  reason?: string;
  replayOf?: string;
};

/** A callback the endpoint took (202), and how many tries that needed. */
export type DeliveredCallback = CallbackCall & { attempts: number };

/**
 * A callback that never got a 202: why (the last try's), with the last
 * status the endpoint answered, if any. `attempts` is 0 for one never
 * posted because its body breaks its callback contract.
 */
export type UndeliveredCallback = CallbackCall & { attempts: number; reason: string; lastStatus?: number };

/** How far a message's delivery got: receipts begun, whether its reply was, and whether a run is going. */
interface Progress {
  message: CreatedMessage;
  plan: DeliveryPlan;
  /** The delivery clock's reading when the message was accepted. */
  start: number;
  receipts: number;
  reply: boolean;
  running: boolean;
}

type Attempt = { ok: true } | { ok: false; reason: string; status?: number };

/** Where each kind of callback goes, under the base URL, the media type its spec gives its request, and its operation. */
const CALLBACK_TARGETS = {
  receipt: {
    operation: "create-realtime-receipt",
    contract: "realtime receipts",
    path: operations["create-realtime-receipt"].path,
    mediaType: operations["create-realtime-receipt"].requestMediaTypes[0],
  },
  reply: {
    operation: "create-realtime-replies",
    contract: "realtime replies",
    path: operations["create-realtime-replies"].path,
    mediaType: operations["create-realtime-replies"].requestMediaTypes[0],
  },
} as const;

/**
 * Whether a URL's host is this machine: `localhost`, an IPv4 address in
 * 127.0.0.0/8 or the IPv6 loopback `[::1]` (also as an IPv4-mapped address),
 * as the URL parser writes them (`127.1` and `[0:0:0:0:0:0:0:1]` included).
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (host === "localhost" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  const v6 = host.replace(/^\[(.*)\]$/, "$1");
  return v6 === "::1" || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(v6);
}

type Limits = { minLength?: number | undefined; maxLength?: number | undefined };

/** The length limits the replies contract puts on an answer's text or keyword (its ReplyAnswer schema). */
function answerLimits(kind: ReplyAnswer["kind"]): Limits {
  type Schema = { minLength?: number; maxLength?: number; properties?: Record<string, Schema> };
  const bundle = createRequire(import.meta.url)("@nhs-app-api/types/openapi/realtime-replies.json") as {
    components: { schemas: Record<string, Schema> };
  };
  const answer = bundle.components.schemas.ReplyAnswer?.properties;
  const schema = kind === "text" ? answer?.valueString : answer?.valueCoding?.properties?.code;
  return { minLength: schema?.minLength, maxLength: schema?.maxLength };
}

const characters = (n: number) => `${n} character${n === 1 ? "" : "s"}`;

/** What a length rule asks, in words: `1 to 50 characters`, `at least 1 character`, `at most 50 characters`. */
export function lengthRule({ minLength, maxLength }: Limits): string | undefined {
  if (minLength !== undefined && maxLength !== undefined) return `${minLength} to ${characters(maxLength)}`;
  if (minLength !== undefined) return `at least ${characters(minLength)}`;
  if (maxLength !== undefined) return `at most ${characters(maxLength)}`;
  return undefined;
}

/** A message with nothing in it but what a reply needs to be built: only its answer is judged. */
const SAMPLE_MESSAGE = {
  kind: "in-app",
  communicationId: "00000000-0000-4000-8000-000000000000",
  identifier: [],
  nhsNumber: "",
  receivedAt: "2000-01-01T00:00:00.000Z",
  day: "2000-01-01",
  body: {},
} as unknown as CreatedMessage;

const ANSWER_PATH = "contained[0].item[0].answer";

/**
 * Why a patient's answer would make a reply callback the replies contract
 * refuses, in words that name the contract's limit (`must be at least 1
 * character, as the realtime replies contract's valueString asks (it has
 * 0)`), or undefined when the contract takes it. The answer is judged in a
 * reply built as the sandbox builds one, by the contract's own validator;
 * the limit named is the contract's (its ReplyAnswer schema).
 */
export function replyAnswerProblem(answer: ReplyAnswer): string | undefined {
  const body = realtimeReply(SAMPLE_MESSAGE, { answer, offsetMs: 0, at: SAMPLE_MESSAGE.receivedAt });
  const issues = requestBodyIssues("create-realtime-replies", body).filter((issue) =>
    issue.expression?.some((expression) => expression.startsWith(ANSWER_PATH)),
  );
  return answerVerdict(
    answer,
    answerLimits(answer.kind),
    issues.map((issue) => issue.diagnostics),
  );
}

/**
 * The words for an answer's problems: its length against the contract's
 * limits, else the contract's own diagnostics (undefined when there are
 * none). Apart from replyAnswerProblem so that the wording of a limit the
 * contract does not have today (a maximum) can be tested.
 */
export function answerVerdict(answer: ReplyAnswer, limits: Limits, diagnostics: readonly string[]): string | undefined {
  const field = answer.kind === "text" ? "valueString" : "valueCoding.code";
  const length = [...(answer.kind === "text" ? answer.text : answer.code)].length;
  const rule = lengthRule(limits);
  const outside =
    (limits.minLength !== undefined && length < limits.minLength) ||
    (limits.maxLength !== undefined && length > limits.maxLength);
  if (rule !== undefined && outside) {
    return `must be ${rule}, as the realtime replies contract's ${field} asks (it has ${length})`;
  }
  if (diagnostics.length === 0) return undefined;
  return `is refused by the realtime replies contract's ${field}: ${[...new Set(diagnostics)].join("; ")}`;
}

/**
 * Refuses fixed reply settings (`replies.text`, a fixed `replies.keyword`)
 * that would make every reply callback break the replies contract, with a
 * RangeError naming the contract's limit. Answers a function gives are
 * judged as each reply is made (one that breaks the contract is not posted).
 */
export function checkReplySettings(replies: ReplyScenario = {}): void {
  const { text, keyword } = replies;
  const problems = [
    typeof text === "string" ? ["replies.text", replyAnswerProblem({ kind: "text", text })] : undefined,
    typeof keyword === "string"
      ? ["replies.keyword", replyAnswerProblem({ kind: "keyword", code: keyword })]
      : undefined,
  ];
  for (const problem of problems) {
    if (problem?.[1] !== undefined) throw new RangeError(`${problem[0]} ${problem[1]}`);
  }
}

function checkedRetry(retry: CallbackRetry = {}): Required<CallbackRetry> {
  const checked = { ...DEFAULT_CALLBACK_RETRY, ...retry };
  if (!(Number.isInteger(checked.retries) && checked.retries >= 0)) {
    throw new RangeError(`retry.retries must be a whole number, 0 or more (it is ${checked.retries})`);
  }
  for (const name of ["initialDelayMs", "maxDelayMs"] as const) {
    if (!(Number.isFinite(checked[name]) && checked[name] >= 0)) {
      throw new RangeError(`retry.${name} must be a number of milliseconds, 0 or more (it is ${checked[name]})`);
    }
  }
  if (!(Number.isFinite(checked.factor) && checked.factor >= 1)) {
    throw new RangeError(`retry.factor must be a number, 1 or more (it is ${checked.factor})`);
  }
  return checked;
}

/**
 * The callback base URL as the simulated NHS App uses it: https, or http for
 * a plain local endpoint (https for mutual TLS), without a trailing slash;
 * the spec's paths go after it. A user name or password, a query or a
 * fragment is refused, since none could be kept once a path is added. No
 * message repeats the URL: it may hold a password. Throws a TypeError saying
 * what is wrong.
 */
export function checkCallbackBaseUrl(baseUrl: string, options: { tls?: boolean } = {}): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError("The callback base URL is not a URL: give one such as https://127.0.0.1:8443");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new TypeError(
      `The callback base URL must be https (or http for a plain local endpoint), not ${url.protocol}`,
    );
  }
  if (options.tls && url.protocol !== "https:") throw new TypeError("Mutual TLS needs an https callback base URL");
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw new TypeError(
      "The callback base URL must be https unless it is on this machine (localhost, 127.0.0.0/8 or ::1): callbacks carry NHS numbers, never sent in clear",
    );
  }
  const extras = [
    url.username !== "" || url.password !== "" ? "user info (user:password@)" : undefined,
    url.search !== "" ? "a query (?...)" : undefined,
    url.hash !== "" ? "a fragment (#...)" : undefined,
  ].filter((extra) => extra !== undefined);
  if (extras.length > 0) {
    const listed = extras.length === 1 ? extras[0] : `${extras.slice(0, -1).join(", ")} and ${extras.at(-1)}`;
    throw new TypeError(
      `The callback base URL has ${listed}: give only its scheme, host, port and path (the callback paths go after it)`,
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

export class CallbackDelivery {
  readonly #base: string;
  readonly #tls: CallbackTls | undefined;
  readonly #scenario: DeliveryScenario;
  readonly #retry: Required<CallbackRetry>;
  readonly #timeoutMs: number;
  readonly #log: (line: string) => void;
  readonly #delivered: DeliveredCallback[] = [];
  readonly #undelivered: UndeliveredCallback[] = [];
  readonly #clock: DeliveryClock;
  /** Each wait in progress: how to cancel it, and how to end it early (false: stopped). */
  readonly #waits = new Set<{ cancel: () => void; end: (going: boolean) => void }>();
  /** Each request in flight, with how to end it (stop() ends them all). */
  readonly #requests = new Set<() => void>();
  readonly #running = new Set<Promise<void>>();
  /** Every callback begun, in order, and by communication ID. */
  readonly #records: CallbackRecord[] = [];
  readonly #recordsOf = new Map<string, CallbackRecord[]>();
  /** How far each message's delivery got, by communication ID. */
  readonly #progress = new Map<string, Progress>();
  #nextId = 1;
  /** Bumped by clear(): a run of an earlier generation stops at its next step. */
  #generation = 0;
  #stopped = false;

  constructor(options: CallbackDeliveryOptions) {
    this.#base = checkCallbackBaseUrl(options.baseUrl, { tls: options.tls !== undefined });
    this.#tls = options.tls;
    this.#scenario = options.scenario ?? {};
    checkDeliveryScenario(this.#scenario);
    checkReplySettings(this.#scenario.replies);
    // The reply body's facts from the spec, checked now rather than on the first reply.
    answersId();
    this.#retry = checkedRetry(options.retry);
    const timeoutMs = options.timeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS;
    if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
      throw new RangeError(`timeoutMs must be a number of milliseconds above 0 (it is ${timeoutMs})`);
    }
    this.#timeoutMs = timeoutMs;
    this.#log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.#clock = options.clock ?? REAL_CLOCK;
  }

  /** The callback base URL, without a trailing slash. */
  get baseUrl(): string {
    return this.#base;
  }

  /** Every callback the endpoint took with 202, in the order they were taken. */
  get delivered(): readonly DeliveredCallback[] {
    return this.#delivered;
  }

  /** Every callback that never got a 202 after all its tries, with the reason and the last status. */
  get undelivered(): readonly UndeliveredCallback[] {
    return this.#undelivered;
  }

  /** Every callback begun (delivered, given up or still being tried), in the order begun, with each try. */
  get callbacks(): readonly CallbackRecord[] {
    return this.#records;
  }

  /** The callbacks of one message, in the order begun. */
  callbacksOf(communicationId: string): readonly CallbackRecord[] {
    return this.#recordsOf.get(communicationId) ?? [];
  }

  /**
   * Makes every delivery look at its plan again now: after a plan was
   * changed (a receipt made to happen now, a reply added), what fell due is
   * posted without waiting for the time first planned.
   */
  wake(): void {
    for (const wait of [...this.#waits]) {
      this.#waits.delete(wait);
      wait.cancel();
      wait.end(true);
    }
  }

  /**
   * Posts a callback's body again, as a new callback (with its own tries)
   * that names the one it replays. Returns it, or undefined when there is
   * no callback of that ID (or the delivery has stopped).
   */
  replay(id: string): CallbackRecord | undefined {
    const original = this.#records.find((record) => record.id === id);
    if (!original || this.#stopped) return undefined;
    const record = this.#begin(callOf(original), id);
    this.#track(this.#send(record, this.#generation));
    return record;
  }

  /**
   * Forgets every callback and ends every delivery in progress (what was
   * still to come is not sent); later messages are delivered as before.
   */
  clear(): void {
    this.#generation++;
    this.#records.length = 0;
    this.#recordsOf.clear();
    this.#progress.clear();
    this.#delivered.length = 0;
    this.#undelivered.length = 0;
    for (const end of this.#requests) end();
    this.wake();
  }

  /**
   * Starts delivering an accepted message's callbacks, timed from now, as
   * its plan says (by default the plan of the scenario given). Returns the
   * plan. Does nothing once stopped.
   */
  deliver(message: CreatedMessage, plan: DeliveryPlan = planDelivery(message, this.#scenario)): DeliveryPlan {
    if (this.#stopped) return plan;
    const progress: Progress = { message, plan, start: this.#clock.now(), receipts: 0, reply: false, running: false };
    this.#progress.set(message.communicationId, progress);
    this.#track(this.#run(progress, this.#generation));
    return plan;
  }

  #track(run: Promise<void>) {
    this.#running.add(run);
    void run.finally(() => this.#running.delete(run));
  }

  /** Resolves once every callback started so far is delivered or given up (at once when stopped). */
  async settled(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /** Cancels every wait and request in flight; what was still to come is not sent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const { cancel, end } of this.#waits) {
      cancel();
      end(false);
    }
    this.#waits.clear();
    for (const end of this.#requests) end();
    await this.settled();
  }

  /**
   * A message's callbacks in its plan's order, each when it falls due, from
   * where its delivery got to. The plan is read afresh at every step: it may
   * change while this runs (a receipt made to happen now, a rejection), and
   * wake() says so; what is added after a run ended, resume() sends.
   */
  async #run(progress: Progress, generation: number): Promise<void> {
    const { message, plan, start } = progress;
    const { communicationId } = message;
    const accepted = Date.parse(message.receivedAt);
    // A time of the plan, on the delivery's clock: the plan's offset from acceptance, from `start`.
    const dueOf = (at: string) => start + (Date.parse(at) - accepted);
    const going = () => !this.#stopped && generation === this.#generation;
    progress.running = true;
    try {
      while (progress.receipts < plan.receipts.length) {
        const next = () => plan.receipts[progress.receipts] as PlannedReceipt | undefined;
        if (!(await this.#waitFor(() => dueOf(next()?.at ?? message.receivedAt), going))) return;
        const receipt = next();
        if (!receipt) break;
        progress.receipts++;
        await this.#send(
          this.#begin({
            kind: "receipt",
            receipt: receipt.kind,
            communicationId,
            url: `${this.#base}${CALLBACK_TARGETS.receipt.path}`,
            body: realtimeReceipt(message, receipt),
          }),
          generation,
        );
      }
      if (!plan.reply || progress.reply) return;
      if (!(await this.#waitFor(() => dueOf(plan.reply?.at ?? message.receivedAt), going))) return;
      const { reply } = plan;
      // A reply taken back meanwhile (the plan rewritten) is not sent; a later resume() may send a new one.
      if (!reply || progress.reply) return;
      progress.reply = true;
      await this.#send(
        this.#begin({
          kind: "reply",
          communicationId,
          url: `${this.#base}${CALLBACK_TARGETS.reply.path}`,
          body: realtimeReply(message, reply),
        }),
        generation,
      );
    } finally {
      progress.running = false;
    }
  }

  /**
   * Sends what a message's plan gained after its delivery ended (a Read
   * made now, a reply), or, while it goes on, has it look at its plan again.
   * False when the delivery never had that message (or was cleared since).
   */
  resume(communicationId: string): boolean {
    const progress = this.#progress.get(communicationId);
    if (!progress || this.#stopped) return false;
    if (progress.running) this.wake();
    else this.#track(this.#run(progress, this.#generation));
    return true;
  }

  /** A new callback's record, kept in order and by message. */
  #begin(call: CallbackCall, replayOf?: string): CallbackRecord {
    const record: CallbackRecord = {
      ...call,
      id: `cb-${this.#nextId++}`,
      state: "sending",
      attempts: [],
      ...(replayOf === undefined ? {} : { replayOf }),
    };
    this.#records.push(record);
    const ofMessage = this.#recordsOf.get(call.communicationId);
    if (ofMessage) ofMessage.push(record);
    else this.#recordsOf.set(call.communicationId, [record]);
    return record;
  }

  /** Gives up a callback at once: never posted (its body breaks its contract), or after its last try. */
  #giveUp(record: CallbackRecord, attempts: number, reason: string, status?: number) {
    record.state = "undelivered";
    record.reason = reason;
    const call = callOf(record);
    this.#undelivered.push({ ...call, attempts, reason, ...(status === undefined ? {} : { lastStatus: status }) });
    const what = call.kind === "receipt" ? `the ${call.receipt} receipt` : "the reply";
    this.#log(
      attempts === 0
        ? `sandbox: did not post ${what} of communication ${call.communicationId} to ${call.url}: ${reason}`
        : `sandbox: could not deliver ${what} of communication ${call.communicationId} to ${call.url} after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${reason}`,
    );
  }

  /** One callback, tried until it gets a 202 or the retries run out. */
  async #send(record: CallbackRecord, generation: number): Promise<void> {
    const call = callOf(record);
    const target = CALLBACK_TARGETS[call.kind];
    // Checked against its callback contract before it goes: a body the contract refuses is never posted.
    const issues = requestBodyIssues(target.operation, call.body, target.mediaType);
    if (issues.length > 0) {
      const listed = issues.map((issue) => `${issue.expression?.[0] ?? "the body"}: ${issue.diagnostics}`).join("; ");
      this.#giveUp(record, 0, `its body breaks the ${target.contract} contract (${listed})`);
      return;
    }
    const text = JSON.stringify(call.body);
    const going = () => !this.#stopped && generation === this.#generation;
    for (let attempt = 1; ; attempt++) {
      const tried: CallbackAttempt = { at: new Date(this.#clock.epochMs?.() ?? Date.now()).toISOString() };
      record.attempts.push(tried);
      const result = await this.#post(call.url, text, target.mediaType);
      if (!result.ok) {
        tried.reason = result.reason;
        if (result.status !== undefined) tried.status = result.status;
      } else tried.status = 202;
      if (!going()) {
        if (record.state === "sending") record.state = "undelivered";
        return;
      }
      if (result.ok) {
        record.state = "delivered";
        this.#delivered.push({ ...call, attempts: attempt });
        return;
      }
      if (attempt > this.#retry.retries) {
        this.#giveUp(record, attempt, result.reason, result.status);
        return;
      }
      const { initialDelayMs, factor, maxDelayMs } = this.#retry;
      const delay = Math.min(maxDelayMs, initialDelayMs * factor ** (attempt - 1));
      const until = this.#clock.now() + delay;
      if (!(await this.#waitFor(() => until, going))) return;
    }
  }

  /**
   * Waits until the moment `due()` names on the delivery's clock, asking
   * again whenever wake() is called (the plan may have moved it); false if
   * the delivery stopped or was cleared meanwhile.
   */
  async #waitFor(due: () => number, going: () => boolean): Promise<boolean> {
    for (;;) {
      if (!going()) return false;
      const ms = due() - this.#clock.now();
      if (ms <= 0) return true;
      const fired = await new Promise<boolean>((resolve) => {
        const wait = { cancel: () => {}, end: resolve };
        this.#waits.add(wait);
        // An endless wait (a reply that may yet be made) has no timer: only wake() ends it.
        if (ms !== Number.POSITIVE_INFINITY) {
          wait.cancel = this.#clock.after(ms, () => {
            this.#waits.delete(wait);
            resolve(true);
          });
        }
      });
      if (!fired) return false;
    }
  }

  /** One POST on a fresh connection; never rejects. */
  #post(url: string, text: string, mediaType: string): Promise<Attempt> {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (attempt: Attempt) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#requests.delete(end);
        resolve(attempt);
      };
      const target = new URL(url);
      const options = {
        method: "POST",
        agent: false as const,
        headers: { "content-type": mediaType, "content-length": Buffer.byteLength(text) },
        ...(this.#tls ? { cert: this.#tls.cert, key: this.#tls.key, ca: this.#tls.ca } : {}),
      };
      const answered = (response: IncomingMessage) => {
        // The answer's body is not needed: drain it so the connection can close.
        response.resume();
        response.on("end", () => {
          const status = response.statusCode ?? 0;
          settle(status === 202 ? { ok: true } : { ok: false, reason: `the endpoint answered ${status}`, status });
        });
        response.on("error", (error: NodeJS.ErrnoException) => settle(failure(error)));
        response.on("close", () => {
          if (!response.complete) settle({ ok: false, reason: "the endpoint closed the connection mid-answer" });
        });
      };
      const request =
        target.protocol === "https:" ? httpsRequest(target, options, answered) : httpRequest(target, options, answered);
      const end = () => {
        settle({ ok: false, reason: "the sandbox stopped" });
        request.destroy();
      };
      this.#requests.add(end);
      const timer = setTimeout(() => {
        settle({ ok: false, reason: `no answer within ${this.#timeoutMs} ms` });
        request.destroy();
      }, this.#timeoutMs);
      request.on("error", (error: NodeJS.ErrnoException) => settle(failure(error)));
      request.end(text);
    });
  }
}

/** The call a record carries, without its bookkeeping. */
function callOf(record: CallbackRecord): CallbackCall {
  const { id: _id, state: _state, attempts: _attempts, reason: _reason, replayOf: _replayOf, ...call } = record;
  return call as CallbackCall;
}

function failure(error: NodeJS.ErrnoException): Attempt {
  return { ok: false, reason: `could not reach the endpoint (${error.code ?? error.message})` };
}
