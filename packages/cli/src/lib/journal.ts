// Opening a campaign's journal (a SQLite file) for `send batch` and `batch
// status`. A path that cannot name a journal (no such folder, a directory)
// is a usage error in the CLI's words; a file that cannot be opened as one
// (not SQLite, no node:sqlite on this Node) is a failure, in the campaigns
// package's words. Either way it is one line, and nothing has been sent.
import { stat } from "node:fs/promises";
import path from "node:path";
import { type Journal, JournalError, openSqliteJournal } from "@nhs-app-api/campaigns";
import { failure, usageError } from "./errors.js";

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

const hasSqlite = () => process.getBuiltinModule?.("node:sqlite") !== undefined;

/** A JournalError as the CLI says it (exit 1); anything else as it is. */
export function fromJournalError(error: unknown): unknown {
  if (!(error instanceof JournalError)) return error;
  // With no SQLite at all (no cause: nothing was tried), the package's advice to pass a journal of your own does not fit a CLI.
  if (error.cause === undefined && !hasSqlite()) {
    return failure(`the journal needs node:sqlite, in Node 22.13 or later (this is Node ${process.version})`);
  }
  return failure(lowerFirst(error.message));
}

/**
 * Runs `work` without Node's one-off "SQLite is an experimental feature"
 * warning (Node 22 prints it on loading node:sqlite): it would be a second,
 * alarming line on stderr for something the README already states.
 */
function withoutSqliteWarning<T>(work: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === "string" ? warning : warning.message;
    if (/SQLite/i.test(text)) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return work();
  } finally {
    process.emitWarning = emitWarning;
  }
}

async function kindOf(file: string): Promise<"file" | "directory" | "missing" | "unreadable"> {
  try {
    return (await stat(file)).isDirectory() ? "directory" : "file";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR" ? "missing" : "unreadable";
  }
}

/**
 * The journal at `file`. `mustExist` for reading one (`batch status`), so that
 * a mistyped path is not answered by a new, empty journal.
 */
export async function openJournal(file: string, options: { mustExist: boolean }): Promise<Journal> {
  const kind = await kindOf(file);
  if (kind === "directory") throw usageError(`the journal ${file} is a directory, not a file`);
  if (kind === "unreadable") throw usageError(`the journal ${file} cannot be read (permission denied)`);
  if (kind === "missing") {
    if (options.mustExist) throw usageError(`the journal ${file} does not exist`);
    const folder = path.dirname(path.resolve(file));
    if ((await kindOf(folder)) !== "directory") {
      throw usageError(`the journal ${file} cannot be created: the folder ${path.dirname(file)} does not exist`);
    }
  }
  try {
    return withoutSqliteWarning(() => openSqliteJournal(file));
  } catch (error) {
    throw fromJournalError(error);
  }
}
