// `nhs-app send batch <messages.ndjson> --journal <campaign.db>`: a campaign
// through @nhs-app-api/campaigns' sendBatch, so that each message is sent at
// most once across any number of runs (the journal is written before each
// send). One result per line of the file, on stdout or in a CSV file;
// progress and the closing summary on stderr.
import { type FileHandle, open, rm, stat } from "node:fs/promises";
import {
  type BatchSummary,
  DuplicateReferenceError,
  type Journal,
  type MessageOutcome,
  ReferenceReusedError,
  sendBatch,
} from "@nhs-app-api/campaigns";
import type { Command } from "commander";
import { type BatchFile, readBatchFile } from "../lib/batch-lines.js";
import {
  csvHeader,
  formatResult,
  type ResultFormat,
  type ResultRow,
  rowOfMalformed,
  rowOfOutcome,
} from "../lib/batch-results.js";
import { fromClientError } from "../lib/client-errors.js";
import { connect } from "../lib/connect.js";
import { addConnectionOptions, type ConnectionFlags, SANDBOX } from "../lib/connection-options.js";
import { failure, silentFailure, usageError } from "../lib/errors.js";
import {
  fromJournalError,
  type JournalChoice,
  type JournalFlags,
  journalChoice,
  journalName,
  openJournal,
} from "../lib/journal.js";
import { note, out } from "../lib/output.js";
import { concurrency, perSecond } from "../lib/parsers.js";
import { Progress } from "../lib/progress.js";

interface BatchFlags extends ConnectionFlags, JournalFlags {
  rate: number;
  concurrency: number;
  out?: string;
  json?: boolean;
  reconcile: boolean;
  quiet?: boolean;
}

/** At most `max` items of a list, then how many more: a summary line stays readable. */
function listed(items: readonly string[], max = 10): string {
  const shown = items.slice(0, max).join(", ");
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/** A reference written more than once refuses the whole batch, with the lines it is on (malformed lines too). */
function duplicatesOf(batch: BatchFile): string | undefined {
  const lines = new Map<string, number[]>();
  const all = [
    ...batch.messages.map(({ line, message }) => ({ line, reference: message.requestReference })),
    ...batch.malformed.map(({ line, requestReference }) => ({ line, reference: requestReference })),
  ];
  for (const { line, reference } of all) {
    if (reference !== undefined) lines.set(reference, [...(lines.get(reference) ?? []), line]);
  }
  const repeated = [...lines].filter(([, on]) => on.length > 1);
  if (repeated.length === 0) return undefined;
  const each = repeated.map(([reference, on]) => `${reference} (lines ${on.sort((a, b) => a - b).join(", ")})`);
  return `nothing was sent: request references must be unique in a batch, and these repeat: ${listed(each, 5)}`;
}

/** A results file that cannot be written, in the CLI's words (a usage error: nothing has been sent). */
function resultsFileProblem(path: string, error: unknown) {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ENOTDIR") {
    return usageError(`the results file ${path} cannot be created: its folder does not exist`);
  }
  if (code === "EISDIR") return usageError(`the results file ${path} is a directory, not a file`);
  if (code === "EACCES" || code === "EPERM") {
    return usageError(`the results file ${path} cannot be written (permission denied)`);
  }
  return usageError(`the results file ${path} cannot be written (${code ?? "unknown error"})`);
}

/**
 * Where the results go: stdout (text or NDJSON) or a CSV file, written as
 * each message settles. `start` once the batch has passed its checks.
 */
async function resultSink(flags: BatchFlags, progress: Progress | undefined) {
  if (flags.out === undefined) {
    const format: ResultFormat = flags.json ? "ndjson" : "text";
    const onTerminal = process.stdout.isTTY === true;
    return {
      async start() {},
      async write(row: ResultRow) {
        // Stdout and the progress line may share a terminal: the line is taken away and drawn again below.
        if (onTerminal) progress?.clear();
        await out(formatResult(row, format));
        if (onTerminal) progress?.draw();
      },
      async close(_started: boolean) {},
    };
  }
  const path = flags.out;
  // Checked before anything is sent, but replaced only once the batch has passed its checks,
  // so that a refused batch leaves the results of an earlier run as they were.
  const existed = await stat(path).then(
    () => true,
    () => false,
  );
  try {
    await (await open(path, "a")).close();
  } catch (error) {
    throw resultsFileProblem(path, error);
  }
  let handle: FileHandle | undefined;
  const started = async () => {
    if (handle) return handle;
    try {
      handle = await open(path, "w");
    } catch (error) {
      throw resultsFileProblem(path, error);
    }
    await handle.write(csvHeader());
    return handle;
  };
  return {
    async start() {
      await started();
    },
    async write(row: ResultRow) {
      await (await started()).write(formatResult(row, "csv"));
    },
    async close(passed: boolean) {
      await handle?.close();
      // Made only to check it could be: no results file from a refused batch.
      if (!passed && !handle && !existed) await rm(path, { force: true });
    },
  };
}

/**
 * How unknowns are settled: from the receipts report of their day, which on
 * the NHS App is complete only from the next day (UTC); the sandbox lists
 * each message at once, so its report is complete as soon as it is read.
 */
const reconcileOf = (flags: BatchFlags, choice: JournalChoice) => {
  if (!flags.reconcile) return false;
  // Not with a shared journal: another worker's send in flight would look like one that died, and be sent again.
  if (flags.environment === SANDBOX && choice.kind === "sqlite") return { reportsComplete: "immediately" as const };
  return true;
};

interface Tally {
  rows: ResultRow[];
  summary?: BatchSummary;
}

function summaryLines(total: number, tally: Tally, interrupted: boolean): string[] {
  const { rows } = tally;
  const count = (state: string) => rows.filter((row) => row.state === state).length;
  const earlier = rows.filter((row) => row.fromEarlierRun && !row.reconciled).length;
  const reconciled = rows.filter((row) => row.reconciled).length;
  const notes = [
    earlier > 0 ? `${earlier} settled by an earlier run (not sent again)` : undefined,
    reconciled > 0 ? `${reconciled} found in the receipts report (not sent again)` : undefined,
  ].filter((part) => part !== undefined);
  const lines = [
    `${total} message${total === 1 ? "" : "s"}: ${count("sent")} sent, ${count("refused")} refused, ${count("failed")} failed, ${count("unknown")} unknown${notes.length > 0 ? `; ${notes.join(", ")}` : ""}`,
  ];
  const malformed = rows.filter((row) => row.malformed);
  if (malformed.length > 0) {
    lines.push(
      `lines that are not messages, refused without sending: ${listed(
        malformed.map((row) => String(row.line)),
        20,
      )}`,
    );
  }
  const list = (state: string) => rows.filter((row) => row.state === state).map((row) => `  ${row.requestReference}`);
  const failed = list("failed");
  if (failed.length > 0) lines.push("failed, certainly not processed (a rerun sends them again):", ...failed);
  const unknown = list("unknown");
  if (unknown.length > 0) {
    lines.push(
      "unknown, for a person to check: they may have reached the NHS App, so they are not sent again until the receipts report of their day, once complete, shows whether they did (a rerun reads it):",
      ...unknown,
    );
  }
  const claimed = tally.summary?.claimedElsewhere ?? 0;
  if (claimed > 0) lines.push(`${claimed} claimed by another process sending from the same journal: see its results`);
  const notDone = total - rows.length - claimed;
  if (interrupted || notDone > 0) {
    lines.push(`stopped early: ${notDone} not sent yet; run the same command again to send them`);
  }
  return lines;
}

async function sendBatchCommand(path: string, flags: BatchFlags): Promise<void> {
  if (flags.out !== undefined && flags.json) throw usageError("--out writes CSV: leave out --json");
  const choice = journalChoice(flags);
  const batch = await readBatchFile(path);
  const duplicates = duplicatesOf(batch);
  if (duplicates) throw failure(duplicates);
  const lineOf = new Map(batch.messages.map(({ line, message }) => [message.requestReference, line]));
  const total = batch.messages.length + batch.malformed.length;

  // Settings first (no journal file is made for a command that cannot run), then the journal, then the results file.
  const connected = await connect(flags);
  const journal: Journal = await openJournal(choice, {
    mustExist: false,
    requestsPerSecond: flags.rate,
    concurrency: flags.concurrency,
  });
  const progress = flags.quiet ? undefined : new Progress({ total, stream: process.stderr });
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
    progress?.clear();
    note("nhs-app: stopping: no new sends; those in flight finish and are journalled (Ctrl-C again to quit at once)");
  };
  const tally: Tally = { rows: [] };
  let sink: Awaited<ReturnType<typeof resultSink>> | undefined;
  // Whether the batch passed sendBatch's checks: until then nothing is written, and a refused batch writes no results.
  let passedChecks = false;
  try {
    sink = await resultSink(flags, progress);
    const results = sink;
    const record = async (row: ResultRow, fresh: boolean) => {
      tally.rows.push(row);
      await results.write(row);
      progress?.tick(fresh);
    };
    process.on("SIGINT", onSignal).on("SIGTERM", onSignal);
    const outcomes = sendBatch(
      connected,
      batch.messages.map(({ message }) => message),
      {
        journal,
        requestsPerSecond: flags.rate,
        concurrency: flags.concurrency,
        reconcile: reconcileOf(flags, choice),
        signal: stop.signal,
      },
    );
    for (;;) {
      const next = await outcomes.next();
      // The malformed lines go first, once the batch has passed its checks.
      if (!passedChecks) {
        passedChecks = true;
        await results.start();
        for (const malformed of batch.malformed) await record(rowOfMalformed(malformed), true);
      }
      if (next.done) {
        tally.summary = next.value;
        break;
      }
      const outcome: MessageOutcome = next.value;
      await record(rowOfOutcome(outcome, lineOf.get(outcome.requestReference) ?? 0), !outcome.fromEarlierRun);
    }
  } catch (error) {
    progress?.clear();
    if (error instanceof DuplicateReferenceError) {
      throw failure(`nothing was sent: these request references repeat in the batch: ${listed([...error.references])}`);
    }
    if (error instanceof ReferenceReusedError) {
      const each = error.references.map((reference) => `${reference} (line ${lineOf.get(reference)})`);
      throw failure(
        `nothing was sent: ${journalName(choice)} already holds these request references for a different message: ${listed(each, 5)}; a changed message needs a new reference`,
      );
    }
    throw fromClientError(fromJournalError(error));
  } finally {
    process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
    await sink?.close(passedChecks);
    await journal.close();
  }
  progress?.clear();
  for (const line of summaryLines(total, tally, stop.signal.aborted)) note(line);
  const unsettled = tally.rows.filter((row) => row.state === "failed" || row.state === "unknown").length;
  const notDone = total - tally.rows.length - (tally.summary?.claimedElsewhere ?? 0);
  if (unsettled > 0 || notDone > 0 || stop.signal.aborted) throw silentFailure();
}

export function registerSendBatch(send: Command): void {
  addConnectionOptions(
    send
      .command("batch")
      .description(
        "send a campaign from an NDJSON file, each message at most once: journalled before it is sent, so a rerun sends only what certainly never went",
      )
      .argument(
        "<messages.ndjson>",
        'one message a line: {"kind":"in-app"|"push","requestReference":"...","message":{...}} or the builder fields (see the README)',
      )
      .option(
        "--journal <campaign.db>",
        "the campaign's journal, a SQLite file (made when missing); keep it for reruns",
      )
      .option(
        "--postgres <url>",
        "or a journal in PostgreSQL that several workers share (postgres://user@host/db; the password in PGPASSWORD)",
      )
      .option("--campaign <name>", "with --postgres: the campaign's name in the database, the same for every worker")
      .option(
        "--rate <per-second>",
        "requests started a second, at most (with --postgres: for all the workers together)",
        perSecond,
        20,
      )
      .option("--concurrency <n>", "sends in flight at once", concurrency, 4)
      .option("--out <results.csv>", "write the results to this CSV file instead of stdout")
      .option("--json", "print each result as a JSON line (NDJSON)")
      .option(
        "--no-reconcile",
        "leave messages whose fate is unknown as they are: no receipts report is read, and they are not sent",
      )
      .option("--quiet", "no progress on stderr (the summary is still written)"),
  ).action(async (path: string, flags: BatchFlags) => sendBatchCommand(path, flags));
}
