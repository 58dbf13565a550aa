// Opening a campaign's journal for `send batch` and `batch status`: a SQLite
// file (--journal), or a campaign in a PostgreSQL database that several
// workers share (--postgres with --campaign). A path that cannot name a
// journal (no such folder, a directory) or a missing choice is a usage error
// in the CLI's words; a journal that cannot be opened (not SQLite, no
// node:sqlite on this Node, a database that cannot be reached) is a failure,
// in the campaigns package's words. Either way it is one line, and nothing
// has been sent. The database's password is never printed.
import { stat } from "node:fs/promises";
import path from "node:path";
import {
  type Journal,
  JournalError,
  JournalRefusedError,
  openPostgresJournal,
  openSqliteJournal,
  sqliteBinding,
} from "@nhs-app-api/campaigns";
import { failure, usageError } from "./errors.js";
import { registerSecret } from "./redact.js";

export interface JournalFlags {
  journal?: string;
  postgres?: string;
  campaign?: string;
}

export type JournalChoice = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string; campaign: string };

/** Which journal the flags name: exactly one of --journal and --postgres, and --campaign with --postgres only. */
export function journalChoice(flags: JournalFlags): JournalChoice {
  if (flags.journal !== undefined && flags.postgres !== undefined) {
    throw usageError("choose --journal (a SQLite file) or --postgres (a database), not both");
  }
  if (flags.postgres !== undefined) {
    if (flags.campaign === undefined) {
      throw usageError("--postgres needs --campaign <name>: one database holds many campaigns");
    }
    return { kind: "postgres", url: flags.postgres, campaign: flags.campaign };
  }
  if (flags.journal === undefined)
    throw usageError("give --journal <campaign.db>, or --postgres <url> with --campaign");
  if (flags.campaign !== undefined) {
    throw usageError("--campaign names a campaign in a --postgres database; a --journal file holds one campaign");
  }
  return { kind: "sqlite", path: flags.journal };
}

/** The journal as messages name it (never the database URL: it may hold the password). */
export const journalName = (choice: JournalChoice) =>
  choice.kind === "sqlite" ? `the journal ${choice.path}` : `the PostgreSQL journal of campaign ${choice.campaign}`;

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/** The start of a source's digest, enough to tell two files apart in a message. */
const shortSource = (source: string) => source.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/, "$1…");

/**
 * A journal refused before anything was written or sent, in the CLI's words:
 * a usage error (exit 2), since the command names the wrong journal or file.
 */
function fromRefusal(error: JournalRefusedError, choice: JournalChoice): Error {
  if (error.reason === "other-source") {
    const recorded =
      error.recorded === undefined ? "another file" : `another batch file (${shortSource(error.recorded)})`;
    return usageError(
      `${journalName(choice)} belongs to a campaign started from ${recorded}, not this one: nothing was sent; to carry on that campaign with a changed file add --changed-file, or give a new journal for a new campaign`,
    );
  }
  return usageError(lowerFirst(error.message));
}

/** A JournalError as the CLI says it (exit 1); anything else as it is. */
export function fromJournalError(error: unknown): unknown {
  return error instanceof JournalError ? failure(lowerFirst(error.message)) : error;
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

async function openSqlite(file: string, options: OpenOptions): Promise<Journal> {
  const { mustExist } = options;
  const kind = await kindOf(file);
  if (kind === "directory") throw usageError(`the journal ${file} is a directory, not a file`);
  if (kind === "unreadable") throw usageError(`the journal ${file} cannot be read (permission denied)`);
  if (kind === "missing") {
    if (mustExist) throw usageError(`the journal ${file} does not exist`);
    const folder = path.dirname(path.resolve(file));
    if ((await kindOf(folder)) !== "directory") {
      throw usageError(`the journal ${file} cannot be created: the folder ${path.dirname(file)} does not exist`);
    }
  }
  try {
    return withoutSqliteWarning(() =>
      openSqliteJournal(file, {
        ...(options.source === undefined ? {} : { source: options.source }),
        acceptChangedSource: options.acceptChangedSource === true,
      }),
    );
  } catch (error) {
    if (error instanceof JournalRefusedError) throw fromRefusal(error, { kind: "sqlite", path: file });
    // With no SQLite at all (no cause: nothing was tried), the package's advice to pass a journal of your own does not fit a CLI.
    if (error instanceof JournalError && error.cause === undefined && sqliteBinding() === undefined) {
      throw failure(
        `the journal needs node:sqlite, in Node 22.13 or later, or better-sqlite3 12 installed beside the CLI (this is Node ${process.version})`,
      );
    }
    throw fromJournalError(error);
  }
}

/** The password in a connection string, when it has one, for the redaction of anything printed. */
function guardPassword(url: string): void {
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password) registerSecret(password);
  } catch {
    // Not a URL this can read: the campaigns package refuses it without quoting it.
  }
  if (process.env.PGPASSWORD) registerSecret(process.env.PGPASSWORD);
}

export interface OpenOptions {
  /** For reading a SQLite journal (`batch status`): a mistyped path is not answered by a new, empty file. */
  mustExist: boolean;
  /** The rate budget every worker of a PostgreSQL campaign shares (sendBatch's own pace is not used then). */
  requestsPerSecond?: number;
  /** Sends in flight at once: the PostgreSQL pool is sized to serve them. */
  concurrency?: number;
  /** The campaign's source (`sha256:` of the batch file): a journal of another is refused. */
  source?: string;
  /** Carry on the journal's campaign with this source although it records another (--changed-file). */
  acceptChangedSource?: boolean;
}

export async function openJournal(choice: JournalChoice, options: OpenOptions): Promise<Journal> {
  if (choice.kind === "sqlite") return openSqlite(choice.path, options);
  guardPassword(choice.url);
  try {
    return await openPostgresJournal({
      connectionString: choice.url,
      campaign: choice.campaign,
      ...(options.source === undefined ? {} : { source: options.source }),
      acceptChangedSource: options.acceptChangedSource === true,
      ...(options.requestsPerSecond === undefined ? {} : { requestsPerSecond: options.requestsPerSecond }),
      // A connection for each send in flight, and a few for the claims and the rate turns.
      pool: { max: Math.max(10, (options.concurrency ?? 4) + 2) },
    });
  } catch (error) {
    if (error instanceof JournalRefusedError) throw fromRefusal(error, choice);
    throw fromJournalError(error);
  }
}
