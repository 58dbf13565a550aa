// A journal whose storage fails, for real, in a campaign's own process: the
// disk fills up part-way through sending (a file size limit, `ulimit -f`,
// makes the journal's writes fail as a full disk does), and then the journal
// is read-only. Each time the batch must stop before a send it cannot record,
// never after one: every message the sandbox received is journalled as sent
// or as being sent, and a rerun on good storage sends each exactly once.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Sandbox, startSandbox, testNhsNumber } from "@nhs-app-api/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noteSkipped } from "../../../test/published.ts";
import { openSqliteJournal, sqliteBinding } from "../src/index.js";

const MESSAGES = 300;
const worker = fileURLToPath(new URL("./crash-worker.mjs", import.meta.url));
// Root writes to read-only files regardless: as root, the worker runs without the capabilities that let it
// (setpriv, from util-linux), so that a file's permissions bind it as they bind anyone else.
const asRoot = process.getuid?.() === 0;
const setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].find((file) => existsSync(file));
const why =
  sqliteBinding() === undefined
    ? `they need node:sqlite (Node 22.13 or later) or better-sqlite3 (this is ${process.version})`
    : process.platform === "win32"
      ? "they need a POSIX shell's ulimit"
      : asRoot && !setpriv
        ? "running as root without setpriv (util-linux) to make a read-only file bind"
        : undefined;
if (why) noteSkipped("the journal storage failure tests", why);

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const finished = (child: ChildProcess) =>
  new Promise<Run>((resolve) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk) => (stdout += chunk));
    child.stderr?.on("data", (chunk) => (stderr += chunk));
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });

describe.runIf(why === undefined)("a campaign whose journal storage fails", () => {
  let sandbox: Sandbox;
  let dir: string;
  let settings: string;
  const journalPath = () => path.join(dir, "campaign.db");
  const creates = () => sandbox.gateway.requests.filter((r) => r.operation === "create-in-app");
  /** The request reference each create request carried. */
  const referencesSent = () =>
    creates().map(
      (request) =>
        (request.body as { identifier?: { system: string; value: string }[] }).identifier?.find((i) =>
          i.system.endsWith("/request-id"),
        )?.value,
    );

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
    dir = await mkdtemp(path.join(tmpdir(), "nhs-app-journal-storage-"));
    settings = JSON.stringify({
      baseUrl: sandbox.baseUrl,
      tokenUrl: sandbox.tokenUrl,
      apiKey: sandbox.apiKey,
      keyId: sandbox.keyId,
      privateKeyPath: sandbox.privateKeyPath,
      journalPath: journalPath(),
      nhsNumbers: Array.from({ length: MESSAGES }, (_, i) => testNhsNumber(i)),
    });
  });
  afterAll(async () => {
    await sandbox?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Every reference the sandbox received, against its state in the journal. */
  const receivedAgainstJournal = async () => {
    const journal = openSqliteJournal(journalPath());
    try {
      const states = new Map((await journal.entries()).map((e) => [e.requestReference, e.state]));
      return referencesSent().map((reference) => states.get(reference ?? ""));
    } finally {
      await journal.close();
    }
  };

  it("stops when the disk fills, with every message it sent journalled before it went out", async () => {
    // 1 MiB a file: room to admit the batch and send some of it, then the journal's log cannot grow.
    const child = spawn(
      "bash",
      ["-c", `trap '' XFSZ; ulimit -f 1024; exec "$0" "$@"`, process.execPath, "--no-warnings", worker, settings],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const run = await finished(child);
    expect({ code: run.code, signal: run.signal }).toEqual({ code: 1, signal: null });
    expect(run.stderr).toMatch(/JournalError: The journal \S+campaign\.db could not [a-z ]+: /);
    const sent = creates().length;
    // Part-way: it had begun sending, and stopped before the end.
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(MESSAGES);
    const states = await receivedAgainstJournal();
    expect(states.filter((state) => state !== "sending" && state !== "sent")).toEqual([]);
  }, 60_000);

  it("then, on a read-only journal, refuses to start and sends nothing", async () => {
    const before = creates().length;
    const files = (await readdir(dir)).filter((name) => name.startsWith("campaign.db"));
    for (const name of files) await chmod(path.join(dir, name), 0o444);
    await chmod(dir, 0o555);
    try {
      const node = [process.execPath, "--no-warnings", worker, settings];
      const child =
        asRoot && setpriv
          ? spawn(setpriv, ["--bounding-set=-dac_override,-dac_read_search", "--", ...node], {
              stdio: ["ignore", "pipe", "pipe"],
            })
          : spawn(node[0] as string, node.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
      const run = await finished(child);
      expect({ code: run.code, signal: run.signal }).toEqual({ code: 1, signal: null });
      expect(run.stderr).toMatch(/JournalError: The journal \S+campaign\.db could not [a-z ]+: .*(readonly|read-only)/);
      expect(creates()).toHaveLength(before);
    } finally {
      await chmod(dir, 0o755);
      for (const name of files) await chmod(path.join(dir, name), 0o644);
    }
  }, 60_000);

  it("and a rerun on good storage finishes, having sent every message exactly once", async () => {
    const run = await finished(
      spawn(process.execPath, ["--no-warnings", worker, settings], { stdio: ["ignore", "pipe", "pipe"] }),
    );
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as { total: number; unsettled: string[] };
    expect(summary.total).toBe(MESSAGES);
    expect(summary.unsettled).toEqual([]);
    const references = referencesSent();
    expect(references).toHaveLength(MESSAGES);
    expect(new Set(references).size).toBe(MESSAGES);
    const journal = openSqliteJournal(journalPath());
    try {
      expect((await journal.entries()).filter((e) => e.state !== "sent")).toEqual([]);
    } finally {
      await journal.close();
    }
  }, 60_000);
});
