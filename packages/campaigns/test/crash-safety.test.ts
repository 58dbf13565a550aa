// Crash safety, end to end: a campaign of 2,000 messages against the sandbox
// is killed with SIGKILL at 20 or more random moments and rerun until it
// finishes. Receipts lag acceptance by seconds, as on the platform, so the
// messages a crash left unknown stay unknown (never sent again) until the
// sandbox's clock moves on two days and the report of their day is complete:
// the last run settles them. The sandbox must have seen every message exactly
// once, and the journal must hold an outcome for every message. Needs node:sqlite or
// better-sqlite3 (CI has one on every Node line it runs).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Sandbox, startSandbox, testNhsNumber } from "@nhs-app-api/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noteSkipped } from "../../../test/published.ts";
import { openSqliteJournal, sqliteBinding } from "../src/index.js";

const hasSqlite = sqliteBinding() !== undefined;
if (!hasSqlite)
  noteSkipped(
    "the campaign crash-safety test",
    `they need node:sqlite (Node 22.13 or later) or better-sqlite3 (this is ${process.version})`,
  );

const MESSAGES = 2_000;
const KILLS = 20;
const worker = fileURLToPath(new URL("./crash-worker.mjs", import.meta.url));
/** How far the sandbox's clock is ahead of this machine's. */
let clockAheadMs = 0;

describe.runIf(hasSqlite)("a campaign killed with SIGKILL and rerun", () => {
  let sandbox: Sandbox;
  let dir: string;
  beforeAll(async () => {
    sandbox = await startSandbox({
      port: 0,
      now: () => Date.now() + clockAheadMs,
      delivery: { timing: { firstMs: 5_000 } },
    });
    dir = await mkdtemp(path.join(tmpdir(), "nhs-app-crash-"));
  });
  afterAll(async () => {
    await sandbox?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("sends every message exactly once, and the journal holds an outcome for each", async () => {
    const settings = JSON.stringify({
      baseUrl: sandbox.baseUrl,
      tokenUrl: sandbox.tokenUrl,
      apiKey: sandbox.apiKey,
      keyId: sandbox.keyId,
      privateKeyPath: sandbox.privateKeyPath,
      journalPath: path.join(dir, "campaign.db"),
      nhsNumbers: Array.from({ length: MESSAGES }, (_, i) => testNhsNumber(i)),
    });
    const start = () =>
      spawn(process.execPath, ["--no-warnings", worker, settings], { stdio: ["ignore", "pipe", "pipe"] });
    const finished = (child: ChildProcess) =>
      new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
        let stdout = "";
        let stderr = "";
        child.stdout?.on("data", (chunk) => (stdout += chunk));
        child.stderr?.on("data", (chunk) => (stderr += chunk));
        child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
      });

    let kills = 0;
    let last: Awaited<ReturnType<typeof finished>> | undefined;
    for (let run = 0; run < KILLS * 3 && !(last && last.code === 0); run++) {
      // Every kill done: two days on by the sandbox's clock, the reports of the days the crashes were on are complete.
      if (kills >= KILLS) clockAheadMs = 2 * 24 * 60 * 60 * 1000;
      const child = start();
      const ended = finished(child);
      if (kills < KILLS) {
        // A random moment: during start-up, admission, or sending.
        const timer = setTimeout(() => child.kill("SIGKILL"), 150 + Math.random() * 900);
        last = await ended;
        clearTimeout(timer);
        if (last.signal === "SIGKILL") kills++;
      } else {
        last = await ended;
      }
      if (last.code !== 0 && last.signal !== "SIGKILL") throw new Error(`the worker failed: ${last.stderr}`);
    }
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    expect(last?.code).toBe(0);
    expect(JSON.parse(last?.stdout ?? "{}")).toMatchObject({ unknown: 0, failed: 0, notSent: 0 });

    const seen = new Map<string, number>();
    for (const request of sandbox.gateway.requests) {
      if (request.operation !== "create-in-app") continue;
      const reference = (request.body as { identifier?: { system: string; value: string }[] }).identifier?.find((i) =>
        i.system.endsWith("/request-id"),
      )?.value;
      if (reference) seen.set(reference, (seen.get(reference) ?? 0) + 1);
    }
    expect(seen.size).toBe(MESSAGES);
    expect([...seen.values()].filter((times) => times !== 1)).toEqual([]);

    const journal = openSqliteJournal(path.join(dir, "campaign.db"));
    const entries = await journal.entries();
    await journal.close();
    expect(entries).toHaveLength(MESSAGES);
    expect(entries.filter((entry) => entry.state !== "sent").map((e) => [e.requestReference, e.state])).toEqual([]);
  }, 600_000);
});
