// Sends a campaign: every message at most once, at a steady rate, with a
// journal entry written before each send, so that a rerun after any failure
// (a crash included) sends again only what certainly never reached the NHS App.
import { createHash } from "node:crypto";
import { type NhsAppClient, RateLimitError, validateInAppMessage, validatePushNotification } from "@nhs-app-api/client";
import { type Journal, type JournalEntry, JournalError, type JournalIssue, type Settlement } from "./journal.js";
import { bodyToSend, type CampaignMessage } from "./message.js";
import { type Answered, Pacer } from "./pacer.js";
import { findInReceiptReports } from "./reconcile.js";
import { settlementOf } from "./settlement.js";

export type CampaignClient = Pick<NhsAppClient, "sendInAppMessage" | "sendPushNotification" | "receipts">;

export interface SendBatchOptions {
  journal: Journal;
  /**
   * API calls per second across the batch (default 20, the dev and int
   * limit), as the server counts them: evenly spaced, and no call starts
   * until a second after the answer to the call that many turns before it,
   * so that however unevenly calls travel, no more than this many arrive in
   * any second. The round trip is the price: about 1000 / (1000 + round
   * trip) of the limit.
   */
  requestsPerSecond?: number;
  /**
   * Milliseconds added to each second (default 0), for a server that counts
   * a call later than it answers it; widened by 5 ms after each spike-arrest
   * 429. A journal with a rate budget of its own (PostgreSQL) paces by its
   * own options instead.
   */
  arrivalMarginMs?: number;
  /** Sends in flight at once (default 4). */
  concurrency?: number;
  /**
   * Settle messages whose fate is unknown (a send that died half way, an
   * earlier `unknown`) from the receipts report of the day their send began
   * (default on). One listed there was sent. One not listed stays unknown and
   * is never sent again, unless that day's report is complete: then it was
   * certainly not processed, and it is sent. The NHS App builds each day's
   * report in a daily batch, so by default a report counts as complete from
   * the next day (UTC); `reportsComplete: "immediately"` is for a sandbox
   * whose report lists each message at once. `false` turns reconciling off.
   */
  reconcile?: boolean | { reportsComplete?: "next-day" | "immediately" };
  /**
   * On a shared journal, how old a `sending` entry must be before this batch
   * takes it for one a crashed worker left behind and reconciles it; younger
   * ones are another worker's sends in flight and are left to it (default two
   * minutes, above the client's default timeout with its retries). A journal
   * only one process uses has no such entries: its `sending` ones are all
   * left by a crash.
   */
  inFlightGraceMs?: number;
  /**
   * Stops starting new sends. Sends already on their way are not cut off:
   * they are answered and journalled, rather than left with their fate
   * unknown; a message claimed but still waiting for its turn is journalled
   * `failed` (it was never sent).
   */
  signal?: AbortSignal;
}

export type OutcomeState = "sent" | "refused" | "failed" | "unknown";

export interface MessageOutcome {
  requestReference: string;
  state: OutcomeState;
  communicationId?: string | undefined;
  issues?: JournalEntry["issues"];
  reason?: string | undefined;
  /** Settled by an earlier run: nothing was sent this time. */
  fromEarlierRun?: boolean;
  /** Settled from the receipts report, without sending. */
  reconciled?: boolean;
}

export interface BatchSummary {
  total: number;
  sent: number;
  refused: number;
  failed: number;
  unknown: number;
  /** Messages another worker sharing the journal claimed first: theirs to report. */
  claimedElsewhere: number;
  /** Request references whose fate is unknown: for a person to check; never sent again. */
  unsettled: string[];
}

export class DuplicateReferenceError extends Error {
  override readonly name = "DuplicateReferenceError";
  constructor(readonly references: readonly string[]) {
    super(`Nothing was sent: these request references appear more than once in the batch: ${references.join(", ")}`);
  }
}

export class ReferenceReusedError extends Error {
  override readonly name = "ReferenceReusedError";
  constructor(readonly references: readonly string[]) {
    super(
      `Nothing was sent: the journal already holds these request references for a different message: ${references.join(", ")}`,
    );
  }
}

const digest = (body: string) => createHash("sha256").update(body).digest("hex");

/** An outcome as a rerun reports an entry the journal already settled. */
function outcomeOf(entry: JournalEntry, extra: Partial<MessageOutcome> = {}): MessageOutcome {
  return {
    requestReference: entry.requestReference,
    state: entry.state as OutcomeState,
    ...(entry.communicationId ? { communicationId: entry.communicationId } : {}),
    ...(entry.issues ? { issues: entry.issues } : {}),
    ...(entry.reason ? { reason: entry.reason } : {}),
    ...extra,
  };
}

/** A queue the workers push outcomes into and the generator drains, in the order they settle. */
function outcomeQueue() {
  const ready: MessageOutcome[] = [];
  let wake: (() => void) | undefined;
  return {
    push(outcome: MessageOutcome) {
      ready.push(outcome);
      wake?.();
    },
    async *drain(done: Promise<unknown>) {
      let finished = false;
      void done.finally(() => {
        finished = true;
        wake?.();
      });
      while (true) {
        while (ready.length > 0) yield ready.shift() as MessageOutcome;
        if (finished) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    },
  };
}

/**
 * Yields each message's outcome as it settles, and returns the summary.
 * Before anything is sent it refuses the whole batch when a request reference
 * repeats (DuplicateReferenceError) or names another message in the journal
 * (ReferenceReusedError), and when the journal cannot be written (JournalError).
 */
export async function* sendBatch(
  client: CampaignClient,
  messages: Iterable<CampaignMessage> | AsyncIterable<CampaignMessage>,
  options: SendBatchOptions,
): AsyncGenerator<MessageOutcome, BatchSummary> {
  const { journal, signal } = options;
  const pacer = new Pacer(options.requestsPerSecond ?? 20, options.arrivalMarginMs);
  // Every API call the batch makes (sends, and the report pages it reads to reconcile) waits its turn: from
  // the budget shared through the journal when it has one (several workers), else from this batch's own pace.
  // Each turn is answered (the call's answer or failure came) so that the pacer can count from it.
  const takeTurn = (stop?: AbortSignal): Promise<Answered> =>
    journal.rateTurn ? journal.rateTurn(stop) : pacer.turn(stop);
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError("concurrency must be a whole number of at least 1");

  // 1. The whole batch, checked before anything is written or sent.
  const items: { item: CampaignMessage; body: string; bodyHash: string; refusal?: string }[] = [];
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for await (const item of messages) {
    if (seen.has(item.requestReference)) repeated.add(item.requestReference);
    seen.add(item.requestReference);
    const prepared = bodyToSend(item);
    const body = JSON.stringify("refusal" in prepared ? item.message : prepared.body);
    items.push({ item, body, bodyHash: digest(body), ...("refusal" in prepared ? { refusal: prepared.refusal } : {}) });
  }
  if (repeated.size > 0) throw new DuplicateReferenceError([...repeated]);

  // 2. Into the journal as pending, in one transaction; existing entries keep their state.
  const admitted = await journal.admit(
    items.map(({ item, body, bodyHash }) => ({
      requestReference: item.requestReference,
      kind: item.kind,
      body,
      bodyHash,
    })),
  );
  const byReference = new Map(admitted.map((entry) => [entry.requestReference, entry]));
  const reused = items.filter(({ item, bodyHash }) => byReference.get(item.requestReference)?.bodyHash !== bodyHash);
  if (reused.length > 0) throw new ReferenceReusedError(reused.map(({ item }) => item.requestReference));

  const summary: BatchSummary = {
    total: items.length,
    sent: 0,
    refused: 0,
    failed: 0,
    unknown: 0,
    claimedElsewhere: 0,
    unsettled: [],
  };
  const count = (outcome: MessageOutcome) => {
    summary[outcome.state]++;
    if (outcome.state === "unknown") summary.unsettled.push(outcome.requestReference);
    return outcome;
  };

  // A recent `sending` entry in a shared journal is another worker's send in flight, not a crash's leftover.
  const grace = journal.shared ? (options.inFlightGraceMs ?? 120_000) : 0;
  const inFlightElsewhere = (entry: JournalEntry) =>
    grace > 0 && entry.sendingSince !== undefined && Date.now() - Date.parse(entry.sendingSince) < grace;

  // 3. What earlier runs settled, and what may have reached the NHS App: never sent again.
  const toSend: (typeof items)[number][] = [];
  const uncertain: JournalEntry[] = [];
  for (const entry of items) {
    const journalled = byReference.get(entry.item.requestReference) as JournalEntry;
    if (journalled.state === "sent" || journalled.state === "refused") {
      yield count(outcomeOf(journalled, { fromEarlierRun: true }));
    } else if (journalled.state === "sending" && inFlightElsewhere(journalled)) {
      summary.claimedElsewhere++;
    } else if (journalled.state === "sending" || journalled.state === "unknown") {
      uncertain.push(journalled);
    } else {
      toSend.push(entry);
    }
  }
  if (uncertain.length > 0) {
    const { found, daysRead } =
      options.reconcile === false
        ? { found: new Map<string, string>(), daysRead: new Set<string>() }
        : await findInReceiptReports(client, uncertain, signal, takeTurn);
    const immediately = typeof options.reconcile === "object" && options.reconcile.reportsComplete === "immediately";
    const itemByReference = new Map(items.map((entry) => [entry.item.requestReference, entry]));
    const today = new Date().toISOString().slice(0, 10);
    for (const entry of uncertain) {
      const communicationId = found.get(entry.requestReference);
      const day = entry.sendingSince?.slice(0, 10);
      const complete = day !== undefined && daysRead.has(day) && (immediately || day < today);
      if (!communicationId && complete) {
        // Absent from a complete report of its day: certainly not processed, so it is sent below.
        await journal.settle(entry.requestReference, {
          state: "failed",
          reason: `not in the receipts report of ${day}`,
        });
        const again = itemByReference.get(entry.requestReference);
        if (again) toSend.push(again);
        continue;
      }
      const settlement: Settlement = communicationId
        ? { state: "sent", communicationId }
        : { state: "unknown", reason: entry.reason ?? "the send began but its answer was never journalled" };
      await journal.settle(entry.requestReference, settlement);
      yield count(
        outcomeOf({ ...entry, ...settlement }, { reconciled: communicationId !== undefined, fromEarlierRun: true }),
      );
    }
  }

  // 4. The rest: validated, journalled as sending, sent, settled; `concurrency` at a time.
  const queue = outcomeQueue();
  let stopped: unknown;
  let next = 0;
  // Between its turn and the moment it leaves (a few steps inside fetch), a request must not wait behind a
  // journal write: a SQLite commit is synchronous (an fsync), and a request held up by one is answered late,
  // which holds back the turns a second after it. So journal writes wait until the request has left.
  let leaving: Promise<void> = Promise.resolve();
  const afterLeaving = async <T>(write: () => Promise<T>): Promise<T> => {
    await leaving;
    return write();
  };
  const settle = async (reference: string, settlement: Settlement) => {
    await afterLeaving(() => journal.settle(reference, settlement));
    queue.push(count({ requestReference: reference, ...settlement }));
  };
  const worker = async () => {
    while (stopped === undefined && !signal?.aborted && next < toSend.length) {
      const { item, body, refusal } = toSend[next++] as (typeof toSend)[number];
      const reference = item.requestReference;
      const message = JSON.parse(body) as CampaignMessage["message"];
      const issues: JournalIssue[] =
        refusal !== undefined
          ? [{ code: "invalid", diagnostics: refusal }]
          : (item.kind === "in-app" ? validateInAppMessage(message) : validatePushNotification(message)).map((i) => ({
              code: i.code,
              diagnostics: i.diagnostics ?? "",
              ...(i.expression ? { expression: [...i.expression] } : {}),
            }));
      if (issues.length > 0) {
        await settle(reference, { state: "refused", issues, reason: "refused before sending" });
        continue;
      }
      // Durable before the request exists: if this fails, nothing is sent. Another worker may have it already.
      // Journalled before its turn rather than after, so the write's own time (an fsync) does not bunch the
      // requests the pacer spaced; a crash while it waits leaves it `sending`, reconciled like any other.
      if (!(await afterLeaving(() => journal.markSending(reference, new Date())))) {
        summary.claimedElsewhere++;
        continue;
      }
      let answered: Answered;
      try {
        answered = await takeTurn(signal);
      } catch (error) {
        // Stopped while waiting for its turn: the request was never made, so it may be sent next time.
        await settle(reference, { state: "failed", reason: "stopped before it was sent" });
        throw error;
      }
      let settlement: Settlement;
      let left = () => {};
      leaving = new Promise<void>((resolve) => {
        left = resolve;
      });
      try {
        const sending =
          item.kind === "in-app"
            ? client.sendInAppMessage(message as never)
            : client.sendPushNotification(message as never);
        // The request is on its way by the next turn of the event loop (fetch's steps are microtasks).
        setImmediate(left);
        const sent = await sending.finally(answered);
        settlement = { state: "sent", communicationId: sent.communicationId };
      } catch (error) {
        // A spike arrest although paced by answers: the server also counts calls this batch cannot see (the
        // application's other traffic), so leave more room. (A quota is a limit over the minute, which a wider
        // margin would not help.)
        if (error instanceof RateLimitError && !error.limit.startsWith("quota") && !journal.rateTurn) {
          pacer.widenMargin();
        }
        settlement = settlementOf(error);
      } finally {
        left(); // a send that threw before it left
        answered();
      }
      await settle(reference, settlement);
    }
  };
  const workers = Promise.all(
    Array.from({ length: Math.min(concurrency, Math.max(toSend.length, 1)) }, () =>
      worker().catch((error: unknown) => {
        stopped ??= error;
      }),
    ),
  );
  yield* queue.drain(workers);
  await workers;
  if (stopped !== undefined) {
    if (stopped instanceof JournalError) throw stopped;
    if (!signal?.aborted) throw stopped;
  }
  return summary;
}
