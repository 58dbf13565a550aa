// The embedded journal: one SQLite file. node:sqlite where the runtime has it
// (Node 22.13 and later), otherwise better-sqlite3 if it is installed; both
// are synchronous, so a write has reached the file (synchronous=FULL) before
// the call returns and the request goes out.
import { createRequire } from "node:module";
import { type Journal, type JournalEntry, JournalError, type JournalIssue, type Settlement } from "./journal.js";
import { entryFromRow, type JournalRow } from "./journal-row.js";

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

const SCHEMA = `
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
)`;

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

export function openSqliteJournal(path: string): Journal {
  const db = guarded(path, "be opened", () => {
    const opened = openDatabase(path);
    opened.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;");
    opened.exec(SCHEMA);
    return opened;
  });
  const select = (where: string, ...params: string[]) =>
    db.prepare(`SELECT * FROM campaign_messages ${where} ORDER BY position`).all(...params) as Row[];
  const update = (reference: string, assignments: string, ...params: (string | number | null)[]) => {
    db.prepare(`UPDATE campaign_messages SET ${assignments} WHERE request_reference = ?`).run(...params, reference);
  };

  return {
    async admit(messages) {
      return guarded(path, "be written", () => {
        db.exec("BEGIN IMMEDIATE");
        try {
          const next = (
            db.prepare("SELECT COALESCE(MAX(position), -1) + 1 AS next FROM campaign_messages").all()[0] as {
              next: number;
            }
          ).next;
          const insert = db.prepare(
            `INSERT INTO campaign_messages (request_reference, kind, body_hash, body, state, position)
             VALUES (?, ?, ?, ?, 'pending', ?) ON CONFLICT (request_reference) DO NOTHING`,
          );
          for (const [i, m] of messages.entries()) insert.run(m.requestReference, m.kind, m.bodyHash, m.body, next + i);
          db.exec("COMMIT");
        } catch (error) {
          db.exec("ROLLBACK");
          throw error;
        }
        const wanted = new Set(messages.map((m) => m.requestReference));
        return select("")
          .map(toEntry)
          .filter((entry) => wanted.has(entry.requestReference));
      });
    },
    async markSending(reference, at) {
      return guarded(path, "record a send before it starts", () => {
        const claimed = db
          .prepare(
            `UPDATE campaign_messages SET state = 'sending', sending_since = ?, attempts = attempts + 1
             WHERE request_reference = ? AND state IN ('pending', 'failed') RETURNING request_reference`,
          )
          .all(at.toISOString(), reference);
        return claimed.length === 1;
      });
    },
    async settle(reference, settlement: Settlement) {
      guarded(path, "record how a send ended", () => {
        switch (settlement.state) {
          case "sent":
            return update(reference, "state = 'sent', communication_id = ?, reason = NULL", settlement.communicationId);
          case "refused":
            return update(
              reference,
              "state = 'refused', issues = ?, reason = ?",
              JSON.stringify(settlement.issues),
              settlement.reason ?? null,
            );
          default:
            return update(reference, "state = ?, reason = ?", settlement.state, settlement.reason);
        }
      });
    },
    async entries() {
      return guarded(path, "be read", () => select("").map(toEntry));
    },
    async close() {
      db.close();
    },
  };
}
