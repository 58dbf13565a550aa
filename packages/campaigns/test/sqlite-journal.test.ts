// The embedded journal on a real SQLite file: durable across a reopen, and a
// journal that cannot be opened or written stops the batch before anything
// is sent. Needs node:sqlite (Node 22.13 and later) or better-sqlite3: CI
// runs it on Node 24 and 22 with the first, and on Node 20 with the second
// (NHS_APP_SQLITE_BINDING names the one each run expects).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { inAppMessage } from "@nhs-app-api/client";
import { testNhsNumber } from "@nhs-app-api/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noteSkipped } from "../../../test/published.ts";
import { type CampaignMessage, JournalError, openSqliteJournal, sendBatch, sqliteBinding } from "../src/index.js";
import { fakeClient } from "./fake-client.js";

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
    expect(() => openSqliteJournal(notADatabase)).toThrow(/could not be opened/);
  });
});
