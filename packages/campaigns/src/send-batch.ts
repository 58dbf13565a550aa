// Sends a campaign: every message at most once, at a steady rate, with a
// journal entry written as each request goes out, so that a rerun after any
// failure (a crash included) sends again only what certainly never reached
// the NHS App. The campaign is read as a stream and journalled a chunk at a
// time, so memory follows the messages in flight, not the campaign's size.
import { createHash } from "node:crypto";
import { type NhsAppClient, RateLimitError, validateInAppMessage, validatePushNotification } from "@nhs-app-api/client";
import { sleep } from "./abortable.js";
import { type Journal, type JournalEntry, JournalError, type JournalIssue, type Settlement } from "./journal.js";
import { bodyToSend, type CampaignMessage, type CampaignMessageKind } from "./message.js";
import { type Answered, Pacer } from "./pacer.js";
import { findInReceiptReports } from "./reconcile.js";
import { ReferenceSet } from "./reference-set.js";
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
   * earlier `unknown`) from the receipts reports (default on), once the
   * campaign's other messages are sent. One listed there was sent. One not
   * listed stays unknown and is never sent again, unless the reports of
   * every day it could be listed on (its send's day, and the days within
   * `receiptLagMs` after) were complete when read: then it was certainly
   * not processed, and it is sent. When a day's report is complete is the
   * environment's to say: `isReportComplete` (default: the platform's rule,
   * from the next day UTC, by this machine's clock). `false` turns
   * reconciling off.
   */
  reconcile?:
    | boolean
    | {
        isReportComplete?: (day: string) => boolean | Promise<boolean>;
        /** How long a first receipt may follow its send (default two hours). */
        receiptLagMs?: number;
      };
  /**
   * On a shared journal that cannot tell whether a `sending` entry's worker
   * is still running (no `claimLive`), how old the entry must be before this
   * batch takes it for one a crashed worker left behind and reconciles it;
   * younger ones are another worker's sends in flight and are waited for
   * (default two minutes, above the client's default timeout with its
   * retries). A journal only one process uses has no such entries: its
   * `sending` ones are all left by a crash.
   */
  inFlightGraceMs?: number;
  /**
   * Stops reading the campaign and starting new sends. Sends already on their
   * way are not cut off: they are answered and journalled, rather than left
   * with their fate unknown. Messages read but not sent stay `pending`, for
   * the next run.
   */
  signal?: AbortSignal;
}

export type OutcomeState = "sent" | "refused" | "failed" | "unknown";

export interface MessageOutcome {
  requestReference: string;
  state: OutcomeState;
  /** Where the message was in the campaign: 0 for the first message read, 1 for the next, and so on. */
  index: number;
  communicationId?: string | undefined;
  issues?: JournalEntry["issues"];
  reason?: string | undefined;
  /** Settled by an earlier run: nothing was sent this time. */
  fromEarlierRun?: boolean;
  /** Settled from the receipts report, without sending. */
  reconciled?: boolean;
}

export interface BatchSummary {
  /** Messages read from the campaign (all of it, unless stopped). */
  total: number;
  sent: number;
  refused: number;
  failed: number;
  unknown: number;
  /** Messages another worker sharing the journal claimed first and settled: theirs to report. */
  claimedElsewhere: number;
  /** Messages read but not sent because the batch was stopped: `pending` in the journal, for the next run. */
  notSent: number;
  /** Request references whose fate is unknown: for a person to check; never sent again. */
  unsettled: string[];
  /** Pages of the receipts reports read to settle unknowns (none when there were none). */
  reportPagesRead: number;
}

/** Messages journalled a chunk at a time: one transaction each, and what the batch holds ahead of its sends. */
const CHUNK = 500;
/** Outcomes waiting for the caller before reading stops for them to be taken. */
const OUTCOMES_AHEAD = 2 * CHUNK;
/** How often the batch looks again at messages another worker is sending. */
const ELSEWHERE_POLL_MS = 500;

const digest = (body: string) => createHash("sha256").update(body).digest("hex");

const issue = (code: string, diagnostics: string): JournalIssue => ({ code, diagnostics });

/** A message read, with its body as it goes on the wire. */
interface Prepared {
  reference: string;
  index: number;
  kind: CampaignMessageKind;
  body: string;
  bodyHash: string;
  /** Why it is refused before sending (the message names another request reference). */
  refusal?: string;
}

/**
 * A journalled message, by reference alone (never its body: a batch may hold
 * many): the batch's own, or one a crash or another worker left. `replaced`:
 * the campaign now gives its reference to a changed message, so the one
 * journalled is settled but never sent again.
 */
type Known = { reference: string; index: number; replaced?: true };
const known = ({ reference, index }: Known): Known => ({ reference, index });
/** References looked up at a time: one query each, however many are waiting. */
const LOOKUP_CHUNK = 500;
/** Claims tried with one turn before it is given back: a long run of claims lost must not hold the way out. */
const CLAIMS_PER_TURN = 16;

/** An outcome as a rerun reports an entry the journal already settled. */
function outcomeOf(entry: JournalEntry, index: number, extra: Partial<MessageOutcome> = {}): MessageOutcome {
  return {
    requestReference: entry.requestReference,
    state: entry.state as OutcomeState,
    index,
    ...(entry.communicationId ? { communicationId: entry.communicationId } : {}),
    ...(entry.issues ? { issues: entry.issues } : {}),
    ...(entry.reason ? { reason: entry.reason } : {}),
    ...extra,
  };
}

/** Something to wait on that any number of waiters wake from when it is signalled. */
function signalled() {
  let wake: () => void = () => {};
  let promise = new Promise<void>((resolve) => (wake = resolve));
  return {
    wait: () => promise,
    signal() {
      wake();
      promise = new Promise<void>((resolve) => (wake = resolve));
    },
  };
}

/**
 * Yields each message's outcome as it settles, and returns the summary.
 * Reads the campaign as it goes: a request reference that repeats one read
 * earlier, or names another message in the journal, is refused there and
 * then (never sent); a journal that cannot be written stops the batch
 * (JournalError) before the message that needed it is sent.
 */
export async function* sendBatch(
  client: CampaignClient,
  messages: Iterable<CampaignMessage> | AsyncIterable<CampaignMessage>,
  options: SendBatchOptions,
): AsyncGenerator<MessageOutcome, BatchSummary> {
  const { journal } = options;
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError("concurrency must be a whole number of at least 1");
  const pacer = new Pacer(options.requestsPerSecond ?? 20, options.arrivalMarginMs);
  // Every API call the batch makes (sends, and the report pages it reads to reconcile) waits its turn: from
  // the budget shared through the journal when it has one (several workers), else from this batch's own pace.
  // Each turn is answered (the call's answer or failure came) so that the pacer can count from it.
  const takeTurn = (stop?: AbortSignal): Promise<Answered> =>
    journal.rateTurn ? journal.rateTurn(stop) : pacer.turn(stop);
  // The caller's stop, and this generator's own when its caller walks away early.
  const halt = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, halt.signal]) : halt.signal;

  const summary: BatchSummary = {
    total: 0,
    sent: 0,
    refused: 0,
    failed: 0,
    unknown: 0,
    claimedElsewhere: 0,
    notSent: 0,
    unsettled: [],
    reportPagesRead: 0,
  };
  const ready: MessageOutcome[] = [];
  const outcomeReady = signalled();
  const outcomeTaken = signalled();
  const report = (outcome: MessageOutcome) => {
    summary[outcome.state]++;
    if (outcome.state === "unknown") summary.unsettled.push(outcome.requestReference);
    ready.push(outcome);
    outcomeReady.signal();
  };

  // A recent `sending` entry in a shared journal is another worker's send in flight, not a crash's leftover.
  const grace = journal.shared ? (options.inFlightGraceMs ?? 120_000) : 0;
  const inFlightElsewhere = (entry: JournalEntry) =>
    entry.state === "sending" &&
    (entry.claimLive ??
      (grace > 0 && entry.sendingSince !== undefined && Date.now() - Date.parse(entry.sendingSince) < grace));

  const toSend: Prepared[] = [];
  const sendable = signalled();
  const roomToRead = signalled();
  // A stop wakes everything that waits, so that it notices (a caller that walks away must not hang).
  signal.addEventListener(
    "abort",
    () => {
      sendable.signal();
      roomToRead.signal();
      outcomeTaken.signal();
    },
    { once: true },
  );
  let reading = true;
  const uncertain: Known[] = [];
  const elsewhere: Known[] = [];
  let stopped: unknown;

  // Between its turn and the moment it leaves (a few steps inside fetch), a request must not wait behind a
  // journal write: a SQLite commit is synchronous (an fsync), and a request held up by one is answered late,
  // which holds back the turns a second after it. So other journal writes wait until the request has left.
  let leaving: Promise<void> = Promise.resolve();
  const afterLeaving = async <T>(write: () => Promise<T>): Promise<T> => {
    await leaving;
    return write();
  };
  const settle = async (item: Known, settlement: Settlement, extra: Partial<MessageOutcome> = {}) => {
    await afterLeaving(() => journal.settle(item.reference, settlement));
    report({ requestReference: item.reference, index: item.index, ...settlement, ...extra });
  };

  const lookup = async (items: readonly Known[]): Promise<Map<string, JournalEntry>> => {
    const found = new Map<string, JournalEntry>();
    for (let start = 0; start < items.length; start += LOOKUP_CHUNK) {
      const references = items.slice(start, start + LOOKUP_CHUNK).map(({ reference }) => reference);
      for (const entry of await journal.lookup(references)) found.set(entry.requestReference, entry);
    }
    return found;
  };

  // 1. Reading: each message checked, journalled a chunk at a time, and queued to send.
  const seen = new ReferenceSet();
  const admit = async (chunk: Prepared[]) => {
    if (chunk.length === 0) return;
    const admitted = await afterLeaving(() =>
      journal.admit(
        chunk.map(({ reference, kind, body, bodyHash }) => ({ requestReference: reference, kind, body, bodyHash })),
      ),
    );
    const byReference = new Map(admitted.map((entry) => [entry.requestReference, entry]));
    for (const item of chunk) {
      const entry = byReference.get(item.reference);
      if (!entry) throw new JournalError(`The journal did not return the entry of ${item.reference} it was given`);
      if (entry.bodyHash !== item.bodyHash) {
        // The message journalled under this reference may have reached the NHS App: it is settled as any
        // other, though never sent again, so that a changed message cannot hide an unknown one.
        if (entry.state === "sending" || entry.state === "unknown") {
          (inFlightElsewhere(entry) ? elsewhere : uncertain).push({ ...known(item), replaced: true });
        }
        report({
          requestReference: item.reference,
          index: item.index,
          state: "refused",
          issues: [issue("duplicate", "the journal holds this request reference for a different message")],
          reason: "refused before sending: a changed message needs a new request reference",
        });
      } else if (entry.state === "sent" || entry.state === "refused") {
        report(outcomeOf(entry, item.index, { fromEarlierRun: true }));
      } else if (inFlightElsewhere(entry)) {
        elsewhere.push(known(item));
      } else if (entry.state === "sending" || entry.state === "unknown") {
        uncertain.push(known(item));
      } else {
        toSend.push(item);
        sendable.signal();
      }
    }
  };
  const read = async () => {
    let chunk: Prepared[] = [];
    try {
      for await (const message of messages) {
        if (signal.aborted || stopped !== undefined) break;
        const index = summary.total++;
        const reference = message.requestReference;
        if (!seen.add(reference)) {
          report({
            requestReference: reference,
            index,
            state: "refused",
            issues: [issue("duplicate", "this request reference is given to an earlier message of the batch")],
            reason: "refused before sending: request references must be unique in a batch",
          });
        } else {
          const prepared = bodyToSend(message);
          const body = JSON.stringify("refusal" in prepared ? message.message : prepared.body);
          chunk.push({
            reference,
            index,
            kind: message.kind,
            body,
            bodyHash: digest(body),
            ...("refusal" in prepared ? { refusal: prepared.refusal } : {}),
          });
        }
        if (chunk.length >= CHUNK) {
          await admit(chunk);
          chunk = [];
        }
        // Read no further ahead than the sends and the caller can take.
        while ((toSend.length >= CHUNK || ready.length >= OUTCOMES_AHEAD) && !signal.aborted && stopped === undefined) {
          await Promise.race([roomToRead.wait(), outcomeTaken.wait()]);
        }
      }
      if (!signal.aborted && stopped === undefined) {
        await admit(chunk);
        chunk = [];
      }
    } finally {
      // Read but never journalled (stopped): not sent, for the next run.
      summary.notSent += chunk.length;
      reading = false;
      sendable.signal();
    }
  };

  // 2. Sending: each message validated, then at its turn journalled as sending, sent, and settled.
  /** The message to send, or the issues that refuse it before sending. */
  const check = (item: Prepared): { message: CampaignMessage["message"]; issues: JournalIssue[] } => {
    const message = JSON.parse(item.body) as CampaignMessage["message"];
    const issues: JournalIssue[] =
      item.refusal !== undefined
        ? [issue("invalid", item.refusal)]
        : (item.kind === "in-app" ? validateInAppMessage(message) : validatePushNotification(message)).map((i) => ({
            code: i.code,
            diagnostics: i.diagnostics ?? "",
            ...(i.expression ? { expression: [...i.expression] } : {}),
          }));
    return { message, issues };
  };
  const refusedBeforeSending = (issues: JournalIssue[]): Settlement => ({
    state: "refused",
    issues,
    reason: "refused before sending",
  });
  const sendOne = async (first: Prepared, queue: Prepared[]) => {
    let item = first;
    let { message, issues } = check(item);
    if (issues.length > 0) {
      await settle(item, refusedBeforeSending(issues));
      return;
    }
    let answered: Answered;
    try {
      answered = await takeTurn(signal);
    } catch (error) {
      // Stopped while waiting for its turn: never claimed, so it stays pending for the next run.
      if (signal.aborted) {
        summary.notSent++;
        return;
      }
      throw error;
    }
    let left = () => {};
    const before = leaving;
    leaving = new Promise<void>((resolve) => {
      left = resolve;
    });
    let settlement: Settlement;
    try {
      await before;
      // Stopped while the request before this one left: never claimed, so it stays pending.
      if (signal.aborted || stopped !== undefined) {
        summary.notSent++;
        return;
      }
      // Journalled the moment the request goes out, and durable before it exists: if this fails, nothing
      // is sent. A crash between the two leaves it `sending`, settled from the reports like any other.
      let claims = 1;
      while (!(await journal.markSending(item.reference, new Date()))) {
        // Another worker sharing the journal claimed it first: it is waited for at the end. The turn is kept
        // for the next message, so that the messages other workers send cost this one no turn of the budget
        // (a few claims at most: the turn must not go stale, nor the way out stay held).
        elsewhere.push(known(item));
        if (claims++ >= CLAIMS_PER_TURN || stopped !== undefined) return;
        let next: Prepared | undefined;
        for (next = queue.shift(); next !== undefined; next = queue.shift()) {
          roomToRead.signal();
          ({ message, issues } = check(next));
          if (issues.length === 0) break;
          // Written now, not after the request leaves: this worker holds the way out until then.
          await journal.settle(next.reference, refusedBeforeSending(issues));
          report({ requestReference: next.reference, index: next.index, ...refusedBeforeSending(issues) });
        }
        if (next === undefined || signal.aborted) {
          if (next !== undefined) summary.notSent++;
          return; // the turn is answered unused
        }
        item = next;
      }
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
      }
    } finally {
      left(); // a send that threw before it left, or was never made
      answered();
    }
    await settle(item, settlement);
  };
  const worker = async (queue: Prepared[], more: () => boolean) => {
    while (stopped === undefined) {
      const item = queue.shift();
      if (item === undefined) {
        if (!more() || signal.aborted) return;
        await sendable.wait();
        continue;
      }
      roomToRead.signal();
      if (signal.aborted) {
        summary.notSent++;
        continue;
      }
      await sendOne(item, queue);
    }
  };
  const sendAll = (queue: Prepared[], more: () => boolean) =>
    Promise.all(
      Array.from({ length: concurrency }, () =>
        worker(queue, more).catch((error: unknown) => {
          stopped ??= error;
          sendable.signal();
          roomToRead.signal();
        }),
      ),
    );

  // 3. After the campaign's own sends: messages other workers had in flight, then those whose fate is unknown.
  const settleElsewhere = async () => {
    let waiting = elsewhere.splice(0);
    while (waiting.length > 0 && !signal.aborted && stopped === undefined) {
      const now = await lookup(waiting);
      const still: Known[] = [];
      for (const item of waiting) {
        const entry = now.get(item.reference);
        if (entry === undefined || (entry.state !== "sending" && entry.state !== "pending")) {
          summary.claimedElsewhere++; // settled by the worker that sent it: its outcome is that worker's to report
        } else if (entry.state === "sending" && !inFlightElsewhere(entry)) {
          uncertain.push(item); // its worker is gone: a crash's leftover
        } else {
          still.push(item);
        }
      }
      waiting = still;
      if (waiting.length > 0) await sleep(ELSEWHERE_POLL_MS);
    }
    summary.notSent += waiting.length;
  };
  const resend: Prepared[] = [];
  /** Unknown to this run and not settled: stopped before its reports could be read. */
  const leftUnknown = (item: Known, reason: string) =>
    report({ requestReference: item.reference, index: item.index, state: "unknown", reason, fromEarlierRun: true });
  const reconcile = async () => {
    const items = uncertain.splice(0);
    if (items.length === 0) return;
    if (signal.aborted || stopped !== undefined) {
      for (const item of items) leftUnknown(item, "not settled from the receipts reports: the batch was stopped");
      return;
    }
    const entries = await lookup(items);
    const choice = typeof options.reconcile === "object" ? options.reconcile : {};
    let findings: Awaited<ReturnType<typeof findInReceiptReports>> | undefined;
    if (options.reconcile !== false) {
      try {
        findings = await findInReceiptReports(client, [...entries.values()], {
          signal,
          turn: takeTurn,
          receiptLagMs: choice.receiptLagMs,
          isReportComplete: choice.isReportComplete,
        });
      } catch (error) {
        if (!signal.aborted) throw error;
        for (const item of items) leftUnknown(item, "not settled from the receipts reports: the batch was stopped");
        return;
      }
    }
    summary.reportPagesRead += findings?.pagesRead ?? 0;
    for (const item of items) {
      const entry = entries.get(item.reference);
      if (!entry) continue;
      // Each write holds only if the entry still stands as it was read: another worker settling the same
      // leftover at the same time must not be overwritten (a `failed` written over its `sent` would be sent again).
      const expected = { state: entry.state, attempts: entry.attempts };
      const communicationId = findings?.found.get(item.reference);
      const notProcessed = !communicationId && findings?.notProcessed.has(item.reference) === true;
      const day = entry.sendingSince?.slice(0, 10);
      const settlement: Settlement = communicationId
        ? { state: "sent", communicationId }
        : notProcessed
          ? {
              state: "failed",
              reason: item.replaced
                ? `not in the receipts reports from ${day}; not sent again, as its reference now names a changed message`
                : `not in the receipts reports from ${day}`,
            }
          : { state: "unknown", reason: entry.reason ?? "the send began but its answer was never journalled" };
      if (!(await journal.settle(item.reference, settlement, expected))) {
        summary.claimedElsewhere++; // another worker settled it first, and reports it
        continue;
      }
      if (notProcessed && !item.replaced) {
        // Absent from the complete reports of every day it could be on: certainly not processed, so sent again.
        resend.push({ ...known(item), kind: entry.kind, body: entry.body, bodyHash: entry.bodyHash });
        continue;
      }
      report(
        outcomeOf({ ...entry, ...settlement }, item.index, {
          reconciled: communicationId !== undefined,
          fromEarlierRun: true,
        }),
      );
    }
  };

  const work = (async () => {
    try {
      await Promise.all([
        read().catch((error: unknown) => {
          stopped ??= error;
          sendable.signal();
        }),
        sendAll(toSend, () => reading),
      ]);
      if (stopped === undefined) await settleElsewhere();
      await reconcile();
      if (stopped === undefined && resend.length > 0) {
        await sendAll(resend, () => false);
        // A resend another worker claimed first is waited for like any other.
        if (stopped === undefined) await settleElsewhere();
        await reconcile();
      }
    } catch (error) {
      stopped ??= error;
    }
    summary.notSent += toSend.length + resend.length + elsewhere.length;
  })();
  let finished = false;
  void work.finally(() => {
    finished = true;
    outcomeReady.signal();
  });
  try {
    while (true) {
      while (ready.length > 0) {
        yield ready.shift() as MessageOutcome;
        outcomeTaken.signal();
      }
      if (finished) break;
      await outcomeReady.wait();
    }
  } finally {
    // A caller that stops taking outcomes stops the batch: nothing more is read or sent.
    if (!finished) halt.abort();
    await work;
  }
  if (stopped !== undefined) {
    if (stopped instanceof JournalError) throw stopped;
    if (!options.signal?.aborted) throw stopped;
  }
  return summary;
}
