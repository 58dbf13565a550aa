// Runs SQL on a SQLite file directly, outside the journal, with whichever
// SQLite this Node has (node:sqlite, or better-sqlite3 on Node 20): to make
// another program's database, or to put a journal's row back as a crash
// would have left it.
import { createRequire } from "node:module";

export function sqliteExec(file: string, sql: string): void {
  const builtin = process.getBuiltinModule?.("node:sqlite") as
    | { DatabaseSync: new (path: string) => { exec(sql: string): void; close(): void } }
    | undefined;
  const Database = builtin?.DatabaseSync ?? createRequire(import.meta.url)("better-sqlite3");
  const db = new Database(file);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}
