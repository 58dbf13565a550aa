// `nhs-app send batch <messages.ndjson> --journal <campaign.db>`: a campaign
// through @nhs-app-api/campaigns' sendBatch, so that each message is sent at
// most once across any number of runs (the journal is written before each
// send). One result per line of the file, on stdout or in a CSV file;
// progress and the closing summary on stderr.
import { type FileHandle, open, realpath, rm, stat } from "node:fs/promises";
import nodePath from "node:path";
import { type BatchSummary, type CampaignMessage, type Journal, sendBatch } from "@nhs-app-api/campaigns";
import type { Command } from "commander";
import { batchLines, summariseBatchFile } from "../lib/batch-lines.js";
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
import { addConnectionOptions, type ConnectionFlags } from "../lib/connection-options.js";
import { silentFailure, usageError } from "../lib/errors.js";
import { fromJournalError, type JournalFlags, journalChoice, openJournal } from "../lib/journal.js";
import { note, out, whenStdoutCloses } from "../lib/output.js";
import { concurrency, perSecond } from "../lib/parsers.js";
import { Progress } from "../lib/progress.js";
import { reportCalendar } from "../lib/report-calendar.js";

interface BatchFlags extends ConnectionFlags, JournalFlags {
  rate: number;
  concurrency: number;
  out?: string;
  json?: boolean;
  reconcile: boolean;
  changedFile?: boolean;
  quiet?: boolean;
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
async function resultSink(flags: BatchFlags, progress: Progress | undefined, stdoutClosed: () => boolean) {
  if (flags.out === undefined) {
    const format: ResultFormat = flags.json ? "ndjson" : "text";
    const onTerminal = process.stdout.isTTY === true;
    return {
      async start() {},
      async write(row: ResultRow) {
        if (stdoutClosed()) return;
        // Stdout and the progress line may share a terminal: the line is taken away and drawn again below.
        if (onTerminal) progress?.clear();
        try {
          await out(formatResult(row, format));
        } catch (error) {
          // The reader went away: the batch stops (whenStdoutCloses), and the journal keeps every result.
          if ((error as NodeJS.ErrnoException).code !== "EPIPE") throw error;
          whenStdoutCloses.stop?.();
        }
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

/** Each message's line in the file, by its place in the campaign: four bytes a message, however long the file. */
class LineIndex {
  #lines = new Uint32Array(1024);
  #count = 0;
  push(line: number): void {
    if (this.#count === this.#lines.length) {
      const grown = new Uint32Array(this.#lines.length * 2);
      grown.set(this.#lines);
      this.#lines = grown;
    }
    this.#lines[this.#count++] = line;
  }
  lineOf(index: number): number {
    return this.#lines[index] ?? 0;
  }
}

/** What the closing summary needs: counts, and the references a person must look at (never every row). */
class Tally {
  readonly counts = { sent: 0, refused: 0, failed: 0, unknown: 0 };
  earlier = 0;
  reconciled = 0;
  rows = 0;
  readonly malformedLines: number[] = [];
  malformed = 0;
  readonly failed: string[] = [];
  readonly unknown: string[] = [];
  summary: BatchSummary | undefined;

  add(row: ResultRow): void {
    this.rows++;
    this.counts[row.state]++;
    // Settled by an earlier run: sent or refused then. (An unknown stays unknown: it is not settled.)
    if (row.fromEarlierRun && !row.reconciled && (row.state === "sent" || row.state === "refused")) this.earlier++;
    if (row.reconciled) this.reconciled++;
    if (row.malformed) {
      this.malformed++;
      if (this.malformedLines.length < 20) this.malformedLines.push(row.line);
    }
    if (row.state === "failed" && row.requestReference) this.failed.push(row.requestReference);
    if (row.state === "unknown" && row.requestReference) this.unknown.push(row.requestReference);
  }
}

function summaryLines(tally: Tally, interrupted: boolean, fileRead: boolean): string[] {
  const { counts, summary } = tally;
  const total = tally.rows + (summary?.claimedElsewhere ?? 0) + (summary?.notSent ?? 0);
  const notes = [
    tally.earlier > 0 ? `${tally.earlier} settled by an earlier run (not sent again)` : undefined,
    tally.reconciled > 0 ? `${tally.reconciled} found in the receipts report (not sent again)` : undefined,
  ].filter((part) => part !== undefined);
  const lines = [
    `${total} message${total === 1 ? "" : "s"}: ${counts.sent} sent, ${counts.refused} refused, ${counts.failed} failed, ${counts.unknown} unknown${notes.length > 0 ? `; ${notes.join(", ")}` : ""}`,
  ];
  if (tally.malformed > 0) {
    const more = tally.malformed - tally.malformedLines.length;
    lines.push(
      `lines that are not messages, refused without sending: ${tally.malformedLines.join(", ")}${more > 0 ? ` and ${more} more` : ""}`,
    );
  }
  if (summary && summary.reportPagesRead > 0) {
    lines.push(
      `read ${summary.reportPagesRead} page${summary.reportPagesRead === 1 ? "" : "s"} of the receipts reports to settle messages whose fate was unknown`,
    );
  }
  if (tally.failed.length > 0) {
    lines.push("failed, certainly not processed (a rerun sends them again):", ...tally.failed.map((r) => `  ${r}`));
  }
  if (tally.unknown.length > 0) {
    lines.push(
      "unknown, for a person to check: they may have reached the NHS App, so they are not sent again until the receipts reports of their day, once complete, show whether they did (a rerun reads them):",
      ...tally.unknown.map((r) => `  ${r}`),
    );
  }
  const claimed = summary?.claimedElsewhere ?? 0;
  if (claimed > 0) lines.push(`${claimed} sent by another process sharing the journal: see its results`);
  const notSent = summary?.notSent ?? 0;
  if (interrupted || notSent > 0) {
    lines.push(
      `stopped early: ${notSent} read but not sent${fileRead ? "" : ", and the rest of the file not read yet"}; run the same command again to send them`,
    );
  }
  return lines;
}

/** A path as the file system names it: the real path, or its folder's real path and its name when it is new. */
async function realPathOf(file: string): Promise<string> {
  try {
    return await realpath(file);
  } catch {
    try {
      return nodePath.join(await realpath(nodePath.dirname(file)), nodePath.basename(file));
    } catch {
      return nodePath.resolve(file);
    }
  }
}

/** --out naming the batch file or the journal would destroy the campaign or its record: refused before anything. */
async function refuseSharedPaths(path: string, flags: BatchFlags): Promise<void> {
  if (flags.out === undefined) return;
  const results = await realPathOf(flags.out);
  if (results === (await realPathOf(path))) {
    throw usageError(`--out ${flags.out} is the batch file itself: the results would overwrite the campaign`);
  }
  if (flags.journal !== undefined && results === (await realPathOf(flags.journal))) {
    throw usageError(`--out ${flags.out} is the journal itself: the results would overwrite it`);
  }
}

async function sendBatchCommand(path: string, flags: BatchFlags): Promise<void> {
  if (flags.out !== undefined && flags.json) throw usageError("--out writes CSV: leave out --json");
  const choice = journalChoice(flags);
  await refuseSharedPaths(path, flags);
  // Read once, fast, before anything else: which campaign this file is, and whether it holds anything at all.
  const file = await summariseBatchFile(path);
  if (!file.hasContent) throw usageError(`the batch file ${path} holds no messages: nothing to send`);

  // Settings first (no journal file is made for a command that cannot run), then the journal, then the results file.
  const connected = await connect(flags);
  // When a day's receipts report is complete is the environment's to say: the sandbox tells, the platform's rule is the next day.
  const calendar = reportCalendar(flags);
  const journal: Journal = await openJournal(choice, {
    mustExist: false,
    requestsPerSecond: flags.rate,
    concurrency: flags.concurrency,
    source: file.source,
    acceptChangedSource: flags.changedFile === true,
  });
  const progress = flags.quiet ? undefined : new Progress({ total: file.lines, stream: process.stderr });
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
    progress?.clear();
    note("nhs-app: stopping: no new sends; those in flight finish and are journalled (Ctrl-C again to quit at once)");
  };
  const tally = new Tally();
  const lines = new LineIndex();
  // Results on stdout whose reader goes away (`| head`, a closed pipe): stop, as on Ctrl-C, and say so.
  let stdoutClosed = false;
  if (flags.out === undefined) {
    whenStdoutCloses.stop = () => {
      if (stdoutClosed) return;
      stdoutClosed = true;
      if (!stop.signal.aborted) stop.abort();
    };
  }
  let sink: Awaited<ReturnType<typeof resultSink>> | undefined;
  let outcomes: ReturnType<typeof sendBatch> | undefined;
  let started = false;
  let fileRead = false;
  try {
    sink = await resultSink(flags, progress, () => stdoutClosed);
    const results = sink;
    await results.start();
    started = true;
    const record = async (row: ResultRow, fresh: boolean) => {
      tally.add(row);
      await results.write(row);
      progress?.tick(fresh);
    };
    // The file's messages as they are read; lines that are not messages are answered here, without sending.
    async function* messages(): AsyncGenerator<CampaignMessage> {
      for await (const read of batchLines(path)) {
        if ("blank" in read) progress?.tick(false);
        else if ("malformed" in read) await record(rowOfMalformed(read.malformed), true);
        else {
          lines.push(read.line);
          yield read.message;
        }
      }
      fileRead = true;
    }
    process.on("SIGINT", onSignal).on("SIGTERM", onSignal);
    outcomes = sendBatch(connected, messages(), {
      journal,
      requestsPerSecond: flags.rate,
      concurrency: flags.concurrency,
      reconcile: flags.reconcile ? { isReportComplete: calendar.isReportComplete } : false,
      signal: stop.signal,
    });
    for (;;) {
      const next = await outcomes.next();
      if (next.done) {
        tally.summary = next.value;
        break;
      }
      const outcome = next.value;
      await record(rowOfOutcome(outcome, lines.lineOf(outcome.index)), !outcome.fromEarlierRun);
    }
  } catch (error) {
    progress?.clear();
    // Stop what is still running (sends in flight finish and are journalled), then say what is known.
    stop.abort();
    await outcomes?.return(undefined as never).catch(() => {});
    if (tally.rows > 0) for (const line of summaryLines(tally, true, fileRead)) note(line);
    throw fromClientError(fromJournalError(error));
  } finally {
    whenStdoutCloses.stop = undefined;
    process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
    await sink?.close(started);
    await journal.close();
  }
  progress?.clear();
  for (const line of summaryLines(tally, stop.signal.aborted, fileRead)) note(line);
  if (stdoutClosed) {
    note(
      "the results could not all be written: stdout's reader went away, so the batch stopped (batch status has them all)",
    );
  }
  const unsettled = tally.counts.failed + tally.counts.unknown;
  if (unsettled > 0 || (tally.summary?.notSent ?? 0) > 0 || stop.signal.aborted) throw silentFailure();
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
      .option(
        "--changed-file",
        "carry on the campaign of this journal with a changed batch file (a journal belongs to the file it was started with)",
      )
      .option("--quiet", "no progress on stderr (the summary is still written)"),
  ).action(async (path: string, flags: BatchFlags) => sendBatchCommand(path, flags));
}
