// The embedded journal on a real SQLite file: durable across a reopen, and a
// journal that cannot be opened or written stops the batch before anything
// is sent. Needs node:sqlite (Node 22.13 and later) or better-sqlite3: CI
// runs it on Node 24 and 22 with the first, and on Node 20 with the second
// (NHS_APP_SQLITE_BINDING names the one each run expects).
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { inAppMessage } from "@nhs-app-api/client";
import { testNhsNumber } from "@nhs-app-api/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noteSkipped } from "../../../test/published.ts";
import {
  type CampaignMessage,
  JOURNAL_FORMAT,
  JournalError,
  JournalRefusedError,
  openSqliteJournal,
  sendBatch,
  sqliteBinding,
} from "../src/index.js";
import { fakeClient } from "./fake-client.js";
import { sqliteExec } from "./sqlite-exec.ts";

const hasSqlite = sqliteBinding() !== undefined;
if (!hasSqlite)
  noteSkipped(
    "the SQLite journal tests",
    `they need node:sqlite (Node 22.13 or later) or better-sqlite3 (this is ${process.version})`,
  );

const message = (n: number): CampaignMessage => ({
  kind: "in-app",
  requestReference: `ref-${n}`,
  message: inAppMessage({ nhsNumber: testNhsNumber(n), odsCode: "B82041", text: `Hello ${n}` }),
});

describe.runIf(process.env.NHS_APP_SQLITE_BINDING)("the SQLite binding", () => {
  it("is the one this run expects (node:sqlite where Node has it, better-sqlite3 on Node 20)", () => {
    expect(sqliteBinding()).toBe(process.env.NHS_APP_SQLITE_BINDING);
  });
});

describe.runIf(!hasSqlite)("without any SQLite binding", () => {
  it("refuses to open a journal, naming both ways to get one", () => {
    expect(() => openSqliteJournal(path.join(tmpdir(), "never.db"))).toThrow(
      /needs node:sqlite \(Node 22\.13 or later\) or better-sqlite3 12 installed beside @nhs-app-api\/campaigns/,
    );
  });
});

describe.runIf(hasSqlite)("the SQLite journal", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "nhs-app-journal-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("keeps every entry and its state across a reopen", async () => {
    const file = path.join(dir, "campaign.db");
    const journal = openSqliteJournal(file);
    const { client } = fakeClient({ journal, answers: { "ref-2": "server-error" } });
    for await (const _ of sendBatch(client, [message(1), message(2)], { journal, requestsPerSecond: 1000 }));
    await journal.close();

    const reopened = openSqliteJournal(file);
    const entries = await reopened.entries();
    expect(entries.map((e) => [e.requestReference, e.state, e.communicationId, e.attempts])).toEqual([
      ["ref-1", "sent", "comm-ref-1", 1],
      ["ref-2", "unknown", undefined, 1],
    ]);
    expect(entries[1]?.reason).toContain("500");
    expect(entries[0]?.sendingSince).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    await reopened.close();
  });

  it("is written as sending before each request goes out", async () => {
    const file = path.join(dir, "order.db");
    const journal = openSqliteJournal(file);
    const fake = fakeClient({ journal });
    for await (const _ of sendBatch(fake.client, [message(1), message(2), message(3)], {
      journal,
      requestsPerSecond: 1000,
    }));
    expect(fake.sends.map((s) => s.journalState)).toEqual(["sending", "sending", "sending"]);
    await journal.close();
  });

  it("stops before anything is sent when the journal cannot be opened", async () => {
    expect(() => openSqliteJournal(path.join(dir, "no-such-folder", "campaign.db"))).toThrow(JournalError);
    const notADatabase = path.join(dir, "not-a-database.db");
    await writeFile(notADatabase, "this is not SQLite, and it is long enough to have a header of its own ".repeat(20));
    expect(() => openSqliteJournal(notADatabase)).toThrow(/is not a SQLite database/);
  });
});

describe.runIf(hasSqlite)("a file given as the journal", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "nhs-app-journal-refused-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("is refused, and left byte for byte as it was, when it is another program's database", async () => {
    const file = path.join(dir, "accounts.db");
    sqliteExec(
      file,
      "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO accounts VALUES (1, 'x');",
    );
    const before = await readFile(file);
    const error = (() => {
      try {
        openSqliteJournal(file, { source: "sha256:abc" });
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(JournalRefusedError);
    expect(error).toMatchObject({ reason: "not-a-journal" });
    expect((error as Error).message).toMatch(/is a SQLite database but not a campaign journal \(it holds accounts\)/);
    expect((error as Error).message).not.toContain("\n");
    expect(await readFile(file)).toEqual(before);
  });

  it("is refused when an old-style table of the same name sits in a database without the journal's mark", () => {
    const file = path.join(dir, "lookalike.db");
    sqliteExec(file, "CREATE TABLE campaign_messages (request_reference TEXT PRIMARY KEY)");
    expect(() => openSqliteJournal(file)).toThrow(JournalRefusedError);
  });

  it("belongs to the campaign source it was made for: another is refused unless the caller says it carries on", async () => {
    const file = path.join(dir, "campaign.db");
    const journal = openSqliteJournal(file, { source: "sha256:first" });
    await journal.admit([{ requestReference: "ref-1", kind: "in-app", body: "{}", bodyHash: "h" }]);
    await journal.close();
    expect(() => openSqliteJournal(file, { source: "sha256:second" })).toThrow(
      expect.objectContaining({ reason: "other-source", recorded: "sha256:first", given: "sha256:second" }),
    );
    // Reading it without a source (batch status) is fine.
    const reader = openSqliteJournal(file);
    expect(await reader.entries()).toHaveLength(1);
    await reader.close();
    // Carrying on with a corrected file: the journal now records the new source, and keeps its entries.
    const carried = openSqliteJournal(file, { source: "sha256:second", acceptChangedSource: true });
    expect((await carried.lookup(["ref-1"]))[0]?.state).toBe("pending");
    await carried.close();
    expect(() => openSqliteJournal(file, { source: "sha256:first" })).toThrow(JournalRefusedError);
    await openSqliteJournal(file, { source: "sha256:second" }).close();
  });

  it("is refused when a newer version wrote it", async () => {
    const file = path.join(dir, "newer.db");
    await openSqliteJournal(file).close();
    sqliteExec(file, `UPDATE nhs_app_journal SET value = '${JOURNAL_FORMAT + 1}' WHERE key = 'format'`);
    expect(() => openSqliteJournal(file)).toThrow(expect.objectContaining({ reason: "newer-format" }));
  });

  it("may be an empty file, made by the operator beforehand", async () => {
    const file = path.join(dir, "empty.db");
    await writeFile(file, "");
    const journal = openSqliteJournal(file, { source: "sha256:x" });
    expect(await journal.entries()).toEqual([]);
    await journal.close();
  });
});

describe.runIf(hasSqlite)("one process at a time", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "nhs-app-journal-lease-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const row = (n: number) => ({ requestReference: `ref-${n}`, kind: "in-app" as const, body: "{}", bodyHash: "h" });

  it("refuses a second writer while the first is sending, reads alongside it, and lets it in once the first has closed", async () => {
    const file = path.join(dir, "busy.db");
    const first = openSqliteJournal(file, { source: "s" });
    await first.admit([row(1)]);
    const second = openSqliteJournal(file, { source: "s" });
    // Reading (batch status) needs no lease.
    expect(await second.entries()).toHaveLength(1);
    await expect(second.admit([row(2)])).rejects.toMatchObject({
      name: "JournalRefusedError",
      reason: "in-use",
      message: expect.stringMatching(
        /is in use by another process \(process \d+ on .+\): one run of a campaign at a time/,
      ),
    });
    await first.close();
    expect(await second.admit([row(2)])).toHaveLength(1);
    await second.close();
  }, 30_000);

  it("takes over at once from a process of this machine that is no longer running (a crash)", async () => {
    const file = path.join(dir, "crashed.db");
    await openSqliteJournal(file).close();
    const stale = JSON.stringify({ id: "gone", pid: 2 ** 22 + 12_345, host: hostname(), until: Date.now() + 60_000 });
    sqliteExec(file, `INSERT INTO nhs_app_journal (key, value) VALUES ('holder', '${stale}')`);
    const journal = openSqliteJournal(file);
    // The lease it left would hold for another minute: a wait for it would end refused ("in-use").
    expect(await journal.admit([row(1)])).toHaveLength(1);
    await journal.close();
  });
});
