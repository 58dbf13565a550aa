// The embedded journal: one SQLite file. node:sqlite where the runtime has it
// (Node 22.13 and later), otherwise better-sqlite3 if it is installed; both
// are synchronous, so a write has reached the file (synchronous=FULL) before
// the call returns and the request goes out.
import { createRequire } from "node:module";
import {
  type CampaignSource,
  JOURNAL_FORMAT,
  type Journal,
  type JournalEntry,
  JournalError,
  type JournalIssue,
  JournalRefusedError,
  type Settlement,
} from "./journal.js";
import { entryFromRow, type JournalRow } from "./journal-row.js";
import { sqliteLease } from "./sqlite-lease.js";

/** What this module needs of a SQLite binding; node:sqlite's DatabaseSync and better-sqlite3 both have it. */
interface Statement {
  run(...params: (string | number | null)[]): unknown;
  all(...params: (string | number | null)[]): unknown[];
}
interface Database {
  exec(sql: string): void;
  prepare(sql: string): Statement;
  close(): void;
}

type DatabaseConstructor = new (path: string) => Database;

/** The SQLite binding this runtime offers, if any: node:sqlite first, better-sqlite3 beside this package second. */
function findBinding(): { name: SqliteBinding; Database: DatabaseConstructor } | undefined {
  const builtin = process.getBuiltinModule?.("node:sqlite") as { DatabaseSync: DatabaseConstructor } | undefined;
  if (builtin) return { name: "node:sqlite", Database: builtin.DatabaseSync };
  try {
    return {
      name: "better-sqlite3",
      Database: createRequire(import.meta.url)("better-sqlite3") as DatabaseConstructor,
    };
  } catch {
    return undefined;
  }
}

/** Which SQLite the embedded journal runs on. */
export type SqliteBinding = "node:sqlite" | "better-sqlite3";

/**
 * Which SQLite `openSqliteJournal` would use here: `node:sqlite` (Node 22.13
 * and later), else `better-sqlite3` when it is installed where this package
 * can load it, else undefined (the journal cannot be opened).
 */
export function sqliteBinding(): SqliteBinding | undefined {
  return findBinding()?.name;
}

function openDatabase(path: string): Database {
  const binding = findBinding();
  if (!binding) {
    throw new JournalError(
      `The SQLite journal needs node:sqlite (Node 22.13 or later) or better-sqlite3 12 installed beside @nhs-app-api/campaigns (this is Node ${process.version}); or pass a journal of your own`,
    );
  }
  return new binding.Database(path);
}

/**
 * Marks the file as a journal of this package (SQLite's application ID,
 * "NHAJ"), so that another program's database given by mistake is refused
 * before anything is written to it, and no journal is taken for another's.
 */
const APPLICATION_ID = 0x4e48414a;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS nhs_app_journal (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS campaign_messages (
  request_reference TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  body_hash TEXT NOT NULL,
  body TEXT NOT NULL,
  state TEXT NOT NULL,
  communication_id TEXT,
  issues TEXT,
  reason TEXT,
  sending_since TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  position INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS campaign_messages_position ON campaign_messages (position)`;

/** A row as SQLite gives it: the issues as JSON text. */
type Row = Omit<JournalRow, "issues"> & { issues: string | null };

const toEntry = (row: Row): JournalEntry =>
  entryFromRow({ ...row, issues: row.issues === null ? null : (JSON.parse(row.issues) as JournalIssue[]) });

/** Wraps a SQLite failure (a read-only file, a full disk) as a JournalError naming the journal. */
function guarded<T>(path: string, doing: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof JournalError) throw error;
    throw new JournalError(`The journal ${path} could not ${doing}: ${(error as Error).message}`, { cause: error });
  }
}

export type SqliteJournalOptions = CampaignSource;

const one = <T>(db: Database, sql: string, ...params: string[]) => db.prepare(sql).all(...params)[0] as T | undefined;

/**
 * Checks, before anything is written, that the file is a journal of this
 * package (or a new, empty database, which becomes one), of a format this
 * version reads, and of this campaign's source; then makes it ready.
 */
function prepare(db: Database, path: string, options: SqliteJournalOptions): void {
  let applicationId: number;
  let tables: string[];
  try {
    applicationId = one<{ application_id: number }>(db, "PRAGMA application_id")?.application_id ?? 0;
    tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all()
      .map((row) => (row as { name: string }).name);
  } catch (error) {
    if (/not a database|file is (encrypted|not)/i.test((error as Error).message)) {
      throw new JournalRefusedError(
        "not-a-journal",
        `The journal ${path} is not a SQLite database: give a journal file of this campaign, or a new path`,
      );
    }
    throw error;
  }
  const isNew = applicationId === 0 && tables.length === 0;
  if (!isNew && (applicationId !== APPLICATION_ID || !tables.includes("nhs_app_journal"))) {
    const holds =
      tables.length > 0 ? ` (it holds ${tables.slice(0, 5).join(", ")}${tables.length > 5 ? ", …" : ""})` : "";
    throw new JournalRefusedError(
      "not-a-journal",
      `The file ${path} is a SQLite database but not a campaign journal${holds}: nothing was written to it; give this campaign's journal, or a new path`,
    );
  }
  const meta = (key: string) =>
    isNew ? undefined : one<{ value: string }>(db, "SELECT value FROM nhs_app_journal WHERE key = ?", key)?.value;
  const format = Number(meta("format") ?? JOURNAL_FORMAT);
  if (format > JOURNAL_FORMAT) {
    throw new JournalRefusedError(
      "newer-format",
      `The journal ${path} was written by a newer version of @nhs-app-api/campaigns (format ${format}; this version reads ${JOURNAL_FORMAT}): use that version`,
    );
  }
  const recorded = meta("source");
  const { source } = options;
  if (source !== undefined && recorded !== undefined && recorded !== source && !options.acceptChangedSource) {
    throw new JournalRefusedError(
      "other-source",
      `The journal ${path} belongs to a campaign sent from another source (${recorded}, not ${source}): give this campaign's own journal, or say that the campaign carries on from a changed source`,
      recorded,
      source,
    );
  }
  // Only now is anything written: the file is ours, or new.
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;");
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec(SCHEMA);
    db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
    const set = db.prepare(
      "INSERT INTO nhs_app_journal (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    );
    if (isNew) set.run("format", String(JOURNAL_FORMAT));
    if (source !== undefined && recorded !== source) set.run("source", source);
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

/**
 * Opens the journal at `path`, or makes one there when the file is missing
 * or empty. Refuses (JournalRefusedError) a file that is not a journal of
 * this package, and, when `source` is given, a journal of another source.
 */
export function openSqliteJournal(path: string, options: SqliteJournalOptions = {}): Journal {
  const db = guarded(path, "be opened", () => {
    const opened = openDatabase(path);
    try {
      prepare(opened, path, options);
    } catch (error) {
      opened.close();
      throw error;
    }
    return opened;
  });
  // Each statement prepared once: a statement prepared per call holds native memory until the JS
  // garbage collector, which does not see it, gets round to finalising it (a long campaign's RSS grew
  // by hundreds of megabytes that way).
  const statements = {
    all: db.prepare("SELECT * FROM campaign_messages ORDER BY position"),
    one: db.prepare("SELECT * FROM campaign_messages WHERE request_reference = ?"),
    next: db.prepare("SELECT COALESCE(MAX(position), -1) + 1 AS next FROM campaign_messages"),
    insert: db.prepare(
      `INSERT INTO campaign_messages (request_reference, kind, body_hash, body, state, position)
       VALUES (?, ?, ?, ?, 'pending', ?) ON CONFLICT (request_reference) DO NOTHING`,
    ),
    claim: db.prepare(
      `UPDATE campaign_messages SET state = 'sending', sending_since = ?, attempts = attempts + 1
       WHERE request_reference = ? AND state IN ('pending', 'failed') RETURNING request_reference`,
    ),
    // Each settlement's last three parameters: the state it must still stand in (twice) and its count of
    // attempts, or NULLs for no condition.
    sent: db.prepare(
      `UPDATE campaign_messages SET state = 'sent', communication_id = ?, reason = NULL
       WHERE request_reference = ? AND (? IS NULL OR (state = ? AND attempts = ?)) RETURNING 1`,
    ),
    refused: db.prepare(
      `UPDATE campaign_messages SET state = 'refused', issues = ?, reason = ?
       WHERE request_reference = ? AND (? IS NULL OR (state = ? AND attempts = ?)) RETURNING 1`,
    ),
    other: db.prepare(
      `UPDATE campaign_messages SET state = ?, reason = ?
       WHERE request_reference = ? AND (? IS NULL OR (state = ? AND attempts = ?)) RETURNING 1`,
    ),
  };
  const find = (reference: string) => (statements.one.all(reference) as Row[]).map(toEntry);
  const holder = db.prepare("SELECT value FROM nhs_app_journal WHERE key = 'holder'");
  const setHolder = db.prepare(
    "INSERT INTO nhs_app_journal (key, value) VALUES ('holder', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  );
  const dropHolder = db.prepare("DELETE FROM nhs_app_journal WHERE key = 'holder'");
  // Taken before the first write, so that reading a journal (batch status) never waits on a run.
  const lease = sqliteLease(path, {
    transaction(work) {
      db.exec("BEGIN IMMEDIATE");
      try {
        const result = work((holder.all()[0] as { value: string } | undefined)?.value, (value) =>
          value === undefined ? dropHolder.run() : setHolder.run(value),
        );
        db.exec("COMMIT");
        return result;
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    },
  });

  return {
    async admit(messages) {
      await lease.acquire();
      return guarded(path, "be written", () => {
        db.exec("BEGIN IMMEDIATE");
        try {
          const next = (statements.next.all()[0] as { next: number }).next;
          for (const [i, m] of messages.entries()) {
            statements.insert.run(m.requestReference, m.kind, m.bodyHash, m.body, next + i);
          }
          db.exec("COMMIT");
        } catch (error) {
          db.exec("ROLLBACK");
          throw error;
        }
        // The chunk's own rows, looked up one by one: reading the whole journal for each chunk would
        // make a long campaign quadratic.
        return messages.flatMap((m) => find(m.requestReference));
      });
    },
    async markSending(reference, at) {
      await lease.acquire();
      lease.check();
      return guarded(path, "record a send before it starts", () => {
        return statements.claim.all(at.toISOString(), reference).length === 1;
      });
    },
    async settle(reference, settlement: Settlement, expected) {
      return guarded(path, "record how a send ended", () => {
        const state = expected?.state ?? null;
        const attempts = expected?.attempts ?? null;
        const written = (() => {
          switch (settlement.state) {
            case "sent":
              return statements.sent.all(settlement.communicationId, reference, state, state, attempts);
            case "refused":
              return statements.refused.all(
                JSON.stringify(settlement.issues),
                settlement.reason ?? null,
                reference,
                state,
                state,
                attempts,
              );
            default:
              return statements.other.all(settlement.state, settlement.reason, reference, state, state, attempts);
          }
        })();
        return written.length === 1;
      });
    },
    async lookup(references) {
      return guarded(path, "be read", () => references.flatMap(find));
    },
    async entries() {
      return guarded(path, "be read", () => (statements.all.all() as Row[]).map(toEntry));
    },
    async close() {
      lease.release();
      db.close();
    },
  };
}
