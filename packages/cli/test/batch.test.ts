// `nhs-app send batch` and `nhs-app batch status` end to end: the built CLI
// against the local sandbox, which records every request it receives, so each
// test can count what was (and was not) sent. The journal is SQLite on
// node:sqlite (Node 22.13 and later): on an older Node those tests skip and
// say so, and the one-line refusal that Node gets is tested instead. The
// PostgreSQL journal is tested on a throwaway server (the campaigns package's
// test helper), where PostgreSQL is installed; elsewhere those tests skip.
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { sqliteBinding } from "@nhs-app-api/campaigns";
import { type Override, type Sandbox, testNhsNumber } from "@nhs-app-api/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noteSkipped } from "../../../test/published.ts";
import { freePort, type PostgresServer, startPostgres, whyNoPostgres } from "../../campaigns/test/postgres-server.ts";
import { sqliteExec } from "../../campaigns/test/sqlite-exec.ts";
import { ensureBuilt, isOneErrorLine, runCli, startCli } from "./support/cli.ts";
import { sandboxFor } from "./support/sandbox.ts";

const hasSqlite = sqliteBinding() !== undefined;
if (!hasSqlite) {
  noteSkipped(
    "the CLI's send batch and batch status tests",
    `they need node:sqlite (Node 22.13 or later) or better-sqlite3 (this is ${process.version})`,
  );
}

const noPostgres = whyNoPostgres();
if (noPostgres) noteSkipped("the CLI's send batch --postgres tests", noPostgres);

const REQUEST_ID = "https://fhir.nhs.uk/NHSApp/request-id";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let sandbox: Sandbox;
let env: Record<string, string>;
let dir: string;
/** How far the sandbox's clock is ahead of this machine's: moved on to make a day's receipts report complete. */
let clockAheadMs = 0;

beforeAll(async () => {
  await ensureBuilt();
  ({ sandbox, env } = await sandboxFor({ now: () => Date.now() + clockAheadMs }));
  dir = await mkdtemp(path.join(tmpdir(), "nhs-app-cli-batch-"));
});
afterAll(async () => {
  await sandbox?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const file = (name: string) => path.join(dir, name);

/** The request reference each message request the sandbox received carried. */
function sentReferences(): string[] {
  return sandbox.gateway.requests
    .filter((request) => request.operation === "create-in-app" || request.operation === "create-notification")
    .map(
      (request) =>
        ((request.body as { identifier?: { system: string; value: string }[] }).identifier ?? []).find(
          (identifier) => identifier.system === REQUEST_ID,
        )?.value ?? "(none)",
    );
}

/** A line of a batch file: the builder fields, or (`whole`) the whole CommunicationRequest. */
function line(prefix: string, n: number, kind: "in-app" | "push", whole = false): string {
  const requestReference = `${prefix}-${n}`;
  const nhsNumber = testNhsNumber(n);
  if (kind === "push") {
    return JSON.stringify({
      kind,
      requestReference,
      nhsNumber,
      text: "You have a new message.",
      url: "https://www.nhsapp.service.nhs.uk/patient/messages/app-messaging",
    });
  }
  if (!whole) {
    return JSON.stringify({
      kind,
      requestReference,
      nhsNumber,
      odsCode: "b82041",
      text: `Invitation ${n}`,
      campaignId: prefix,
    });
  }
  return JSON.stringify({
    kind,
    requestReference,
    message: {
      resourceType: "CommunicationRequest",
      status: "active",
      payload: [{ contentString: `Invitation ${n}, whole` }],
      recipient: [{ type: "Patient", identifier: { system: "https://fhir.nhs.uk/Id/nhs-number", value: nhsNumber } }],
      requester: {
        type: "Organization",
        identifier: { system: "https://fhir.nhs.uk/Id/ods-organization-code", value: "B82041" },
      },
    },
  });
}

/** Thirty lines: every third a push notification, every fifth a whole message. */
const campaign = (prefix: string) =>
  Array.from({ length: 30 }, (_, i) => line(prefix, i + 1, (i + 1) % 3 === 0 ? "push" : "in-app", (i + 1) % 5 === 0));

/**
 * Standard error without its progress lines: a batch writes one every 5 s of
 * its run, so how many depends on how busy the machine is. (The progress
 * line itself is tested on a clock of its own, in units.test.ts.)
 */
const withoutProgress = (stderr: string) => stderr.replace(/^progress: .*\n/gm, "");

const csvRows = (text: string) =>
  text
    .split("\r\n")
    .filter((row) => row !== "")
    .map((row) => row.split(","));

describe.runIf(hasSqlite)("nhs-app send batch", () => {
  const fast = ["--rate", "200", "--concurrency", "4"];

  it("sends a 30-line batch (in-app and push, builder fields and whole messages), each once, and writes every line's result to --out", async () => {
    await writeFile(file("campaign.ndjson"), `${campaign("c").join("\n")}\n`);
    const before = sentReferences().length;
    const run = await runCli(
      [
        "send",
        "batch",
        file("campaign.ndjson"),
        "--journal",
        file("campaign.db"),
        "--out",
        file("results.csv"),
        ...fast,
      ],
      env,
    );
    expect(run.stdout).toBe("");
    expect(withoutProgress(run.stderr)).toBe("30 messages: 30 sent, 0 refused, 0 failed, 0 unknown\n");
    expect(run.code).toBe(0);

    const sent = sentReferences().slice(before);
    expect(sent.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `c-${i + 1}`).sort());
    const operations = sandbox.gateway.requests.slice(-30).map((request) => request.operation);
    expect(operations.filter((operation) => operation === "create-notification")).toHaveLength(10);

    const [header, ...rows] = csvRows(await readFile(file("results.csv"), "utf8"));
    expect(header).toEqual(["request_reference", "state", "communication_id", "reason", "line"]);
    expect(rows).toHaveLength(30);
    for (const [reference, state, communicationId, reason, lineNumber] of rows) {
      expect(state).toBe("sent");
      expect(communicationId).toMatch(UUID);
      expect(reason).toBe("");
      // Each result names the line its message was on.
      expect(reference).toBe(`c-${lineNumber}`);
    }
    expect(new Set(rows.map((row) => row[2])).size).toBe(30);
  });

  it("a rerun sends nothing and reports every message as settled, with the communication IDs of the first run", async () => {
    const before = sandbox.gateway.requests.length;
    const run = await runCli(
      ["send", "batch", file("campaign.ndjson"), "--journal", file("campaign.db"), ...fast],
      env,
    );
    expect(run.code).toBe(0);
    // Not a message request, not a token, not a report page: the journal alone answered.
    expect(sandbox.gateway.requests).toHaveLength(before);
    expect(withoutProgress(run.stderr)).toBe(
      "30 messages: 30 sent, 0 refused, 0 failed, 0 unknown; 30 settled by an earlier run (not sent again)\n",
    );
    const first = new Map(
      csvRows(await readFile(file("results.csv"), "utf8"))
        .slice(1)
        .map(([reference, , communicationId]) => [reference, communicationId]),
    );
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(30);
    for (const text of lines) {
      const [reference, state, communicationId] = text.split(" ");
      expect(state).toBe("sent");
      expect(communicationId).toBe(first.get(reference ?? ""));
    }
  });

  it("refuses a malformed line by its line number without sending it, and sends the rest", async () => {
    const lines = [
      line("m", 1, "in-app"),
      "this is not JSON",
      JSON.stringify({ requestReference: "m-3", nhsNumber: testNhsNumber(3), text: "no kind" }),
      JSON.stringify({ kind: "push", text: "no reference" }),
      line("m", 5, "push"),
      "",
      JSON.stringify({
        kind: "in-app",
        requestReference: "m-7",
        nhsNumber: "9434765910",
        odsCode: "B82041",
        text: "<b>bad</b>",
      }),
      JSON.stringify({
        kind: "in-app",
        requestReference: "m-8",
        nhsNumber: testNhsNumber(8),
        odsCode: "B82041",
        text: "x",
        odscode: "typo",
      }),
      line("m", 9, "in-app", true),
    ];
    await writeFile(file("malformed.ndjson"), `${lines.join("\n")}\n`);
    const before = sentReferences().length;
    const run = await runCli(
      ["send", "batch", file("malformed.ndjson"), "--journal", file("malformed.db"), "--json", ...fast],
      env,
    );
    expect(run.code).toBe(0);
    expect(sentReferences().slice(before).sort()).toEqual(["m-1", "m-5", "m-9"]);
    const results = run.stdout
      .trimEnd()
      .split("\n")
      .map(
        (text) => JSON.parse(text) as { line: number; requestReference: string | null; state: string; reason: string },
      );
    const byLine = new Map(results.map((result) => [result.line, result]));
    // Every line but the blank one has a result.
    expect([...byLine.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 7, 8, 9]);
    expect(byLine.get(2)).toMatchObject({ requestReference: null, state: "refused" });
    // Where V8 says the line broke, when it says; never the line's text.
    expect(byLine.get(2)?.reason).toMatch(/^line 2: not valid JSON( \(at column \d+\))?$/);
    expect(byLine.get(3)).toMatchObject({
      requestReference: "m-3",
      state: "refused",
      reason: 'line 3: kind must be "in-app" or "push"',
    });
    expect(byLine.get(4)).toMatchObject({
      requestReference: null,
      reason: "line 4: requestReference is missing or not text",
    });
    expect(byLine.get(8)).toMatchObject({
      requestReference: "m-8",
      reason: "line 8: unknown field odscode for in-app",
    });
    // Well formed but invalid: refused by the contract's checks before sending, its issues named (the NHS number never).
    expect(byLine.get(7)).toMatchObject({ requestReference: "m-7", state: "refused" });
    expect(byLine.get(7)?.reason).toContain("recipient[0].identifier.value: NHS Number is invalid");
    expect(run.stdout).not.toContain("9434765910");
    for (const n of [1, 5, 9]) expect(byLine.get(n)).toMatchObject({ requestReference: `m-${n}`, state: "sent" });
    expect(run.stderr).toContain("8 messages: 3 sent, 5 refused, 0 failed, 0 unknown\n");
    expect(run.stderr).toContain("lines that are not messages, refused without sending: 2, 3, 4, 8\n");
  });

  it("refuses a request reference where it repeats, naming the line, and sends the first message with it once", async () => {
    const lines = [line("d", 1, "in-app"), line("d", 2, "push"), line("d", 3, "in-app"), line("d", 1, "push")];
    await writeFile(file("duplicates.ndjson"), `${lines.join("\n")}\n`);
    const before = sentReferences().length;
    const run = await runCli(
      ["send", "batch", file("duplicates.ndjson"), "--journal", file("duplicates.db"), "--json", ...fast],
      env,
    );
    expect(run.code).toBe(0);
    expect(sentReferences().slice(before).sort()).toEqual(["d-1", "d-2", "d-3"]);
    const results = run.stdout
      .trimEnd()
      .split("\n")
      .map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(results.find((result) => result.line === 4)).toMatchObject({
      requestReference: "d-1",
      state: "refused",
      reason: expect.stringContaining("given to an earlier message of the batch"),
    });
    expect(withoutProgress(run.stderr)).toBe("4 messages: 3 sent, 1 refused, 0 failed, 0 unknown\n");
  });

  it("refuses a journal started from another batch file: one line, exit 2, nothing sent, no results written", async () => {
    const changed = campaign("c").map((text, i) =>
      i === 1 ? text.replace("Invitation 2", "Invitation 2, changed") : text,
    );
    await writeFile(file("changed.ndjson"), `${changed.join("\n")}\n`);
    const before = sandbox.gateway.requests.length;
    const results = await readFile(file("results.csv"), "utf8");
    const run = await runCli(
      ["send", "batch", file("changed.ndjson"), "--journal", file("campaign.db"), "--out", file("results.csv")],
      env,
    );
    expect({ code: run.code, stdout: run.stdout, oneLine: isOneErrorLine(run.stderr) }).toEqual({
      code: 2,
      stdout: "",
      oneLine: true,
    });
    expect(run.stderr).toMatch(
      /the journal .*campaign\.db belongs to a campaign started from another batch file \(sha256:[0-9a-f]{12}…\), not this one: nothing was sent; to carry on that campaign with a changed file add --changed-file/,
    );
    expect(sandbox.gateway.requests).toHaveLength(before);
    // The results of the earlier run are left as they were, and a new results file is not left behind.
    expect(await readFile(file("results.csv"), "utf8")).toBe(results);
    const fresh = await runCli(
      ["send", "batch", file("changed.ndjson"), "--journal", file("campaign.db"), "--out", file("fresh.csv")],
      env,
    );
    expect(fresh.code).toBe(2);
    expect(existsSync(file("fresh.csv"))).toBe(false);

    // Carried on with --changed-file: the changed message is refused (its reference names another message), the
    // rest were sent already, and nothing is sent.
    const carried = await runCli(
      ["send", "batch", file("changed.ndjson"), "--journal", file("campaign.db"), "--changed-file", "--json"],
      env,
    );
    expect(sandbox.gateway.requests).toHaveLength(before);
    const c2 = carried.stdout
      .trimEnd()
      .split("\n")
      .map((text) => JSON.parse(text) as Record<string, unknown>)
      .find((result) => result.line === 2);
    expect(c2).toMatchObject({ requestReference: "c-2", state: "refused" });
    expect(String(c2?.reason)).toContain("holds this request reference for a different message");
  });

  it("refuses another program's SQLite database as a journal, and leaves it as it was", async () => {
    await writeFile(file("campaign-3.ndjson"), `${line("f", 1, "in-app")}\n`);
    const foreign = file("accounts.db");
    sqliteExec(foreign, "CREATE TABLE accounts (id INTEGER PRIMARY KEY); INSERT INTO accounts VALUES (1);");
    const bytes = await readFile(foreign);
    const before = sandbox.gateway.requests.length;
    const run = await runCli(["send", "batch", file("campaign-3.ndjson"), "--journal", foreign], env);
    expect({ code: run.code, stdout: run.stdout, oneLine: isOneErrorLine(run.stderr) }).toEqual({
      code: 2,
      stdout: "",
      oneLine: true,
    });
    expect(run.stderr).toContain("is a SQLite database but not a campaign journal (it holds accounts)");
    expect(sandbox.gateway.requests).toHaveLength(before);
    expect(await readFile(foreign)).toEqual(bytes);
  });

  it("an empty batch file, or one of blank lines only, is a usage error: exit 2, nothing sent, no journal made", async () => {
    for (const [name, text] of [
      ["empty.ndjson", ""],
      ["blank.ndjson", "\n  \n\r\n"],
    ] as const) {
      await writeFile(file(name), text);
      const run = await runCli(["send", "batch", file(name), "--journal", file(`${name}.db`)], env);
      expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
        code: 2,
        stdout: "",
        stderr: `nhs-app: the batch file ${file(name)} holds no messages: nothing to send\n`,
      });
      expect(existsSync(file(`${name}.db`))).toBe(false);
    }
  });

  it("a journal that cannot be opened: one line before anything is sent", async () => {
    await writeFile(file("campaign-2.ndjson"), `${line("j", 1, "in-app")}\n`);
    await writeFile(
      file("not-sqlite.db"),
      "not SQLite at all, and long enough to have a header of its own ".repeat(20),
    );
    const before = sandbox.gateway.requests.length;
    const cases = [
      { journal: path.join(dir, "no-such-folder", "campaign.db"), code: 2, says: "cannot be created: the folder" },
      { journal: dir, code: 2, says: "is a directory, not a file" },
      { journal: file("not-sqlite.db"), code: 2, says: "is not a SQLite database" },
    ];
    for (const { journal, code, says } of cases) {
      const run = await runCli(["send", "batch", file("campaign-2.ndjson"), "--journal", journal], env);
      expect({ code: run.code, stdout: run.stdout, oneLine: isOneErrorLine(run.stderr) }).toEqual({
        code,
        stdout: "",
        oneLine: true,
      });
      expect(run.stderr).toContain(says);
    }
    expect(sandbox.gateway.requests).toHaveLength(before);
  });

  it("sends whose fate is unknown: exit 1 and listed; batch status counts them offline; a rerun settles them from the receipts report, resending only what it shows was not processed", async () => {
    const gateway = sandbox.gateway;
    const operation = gateway.operation.bind(gateway);
    const outcome = {
      resourceType: "OperationOutcome",
      issue: [{ severity: "error", code: "exception", diagnostics: "down" }],
    };
    const failing: Override & { status: number } = { status: 500, body: outcome };
    // u-2 is processed but its answer is lost; u-4 gets a 500 before it is processed. The client cannot tell them apart.
    gateway.operation = async (id, request, override) => {
      if (request.body.includes('"u-2"')) {
        await operation(id, request, override);
        return { status: 500, headers: { "content-type": "application/fhir+json" }, body: outcome };
      }
      return operation(id, request, request.body.includes('"u-4"') ? failing : override);
    };
    const lines = [line("u", 1, "in-app"), line("u", 2, "in-app"), line("u", 3, "push"), line("u", 4, "in-app")];
    lines.push(
      JSON.stringify({
        kind: "in-app",
        requestReference: "u-5",
        nhsNumber: "9434765910",
        odsCode: "B82041",
        text: "x",
      }),
    );
    await writeFile(file("unknown.ndjson"), `${lines.join("\n")}\n`);
    const args = ["send", "batch", file("unknown.ndjson"), "--journal", file("unknown.db")];
    const sendsOf = (reference: string) => sentReferences().filter((sent) => sent === reference).length;
    try {
      const run = await runCli([...args, ...fast], env);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^u-2 unknown server 500: .+$/m);
      expect(run.stdout).toMatch(/^u-4 unknown server 500: .+$/m);
      expect(run.stderr).toContain("5 messages: 2 sent, 1 refused, 0 failed, 2 unknown\n");
      expect(run.stderr).toMatch(/\nunknown, for a person to check: .*:\n {2}u-[24]\n {2}u-[24]\n/);

      // --no-reconcile: nothing read, nothing sent, both still unknown.
      const before = sandbox.gateway.requests.length;
      const untouched = await runCli([...args, "--no-reconcile"], env);
      expect(untouched.code).toBe(1);
      expect(untouched.stdout).toMatch(/^u-2 unknown /m);
      expect(sandbox.gateway.requests).toHaveLength(before);
    } finally {
      gateway.operation = operation;
    }

    const before = sandbox.gateway.requests.length;
    const status = await runCli(["batch", "status", "--journal", file("unknown.db")]);
    expect(status).toMatchObject({ code: 0, stderr: "" });
    expect(status.stdout).toBe(
      [
        "total    5",
        "pending  0",
        "sending  0",
        "sent     2",
        "refused  1",
        "failed   0",
        "unknown  2",
        "",
        "unknown, for a person to check: they may have reached the NHS App, so they are not sent again until the receipts report of their day, once complete, shows whether they did:",
        "  u-2",
        "  u-4",
        "",
      ].join("\n"),
    );
    const json = await runCli(["batch", "status", "--journal", file("unknown.db"), "--json"]);
    expect(JSON.parse(json.stdout)).toEqual({
      total: 5,
      counts: { pending: 0, sending: 0, sent: 2, refused: 1, failed: 0, unknown: 2 },
      unknown: ["u-2", "u-4"],
      sending: [],
      failed: [],
    });
    // No credentials were given, and the sandbox heard nothing.
    expect(sandbox.gateway.requests).toHaveLength(before);

    // Today's receipts report is not complete yet: u-2 is found there all the same (sent, not sent again), and
    // u-4, absent, stays unknown: its receipt could still come.
    const today = await runCli([...args, "--json", ...fast], env);
    expect(today.code).toBe(1);
    const u2 = sandbox.createdMessages.find((created) => created.requestReference === "u-2");
    const todays = today.stdout
      .trimEnd()
      .split("\n")
      .map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(todays.find((result) => result.requestReference === "u-2")).toMatchObject({
      state: "sent",
      reconciled: true,
      communicationId: u2?.communicationId,
    });
    expect(todays.find((result) => result.requestReference === "u-4")).toMatchObject({ state: "unknown" });
    expect(sendsOf("u-4")).toBe(1);

    // Two days on by the sandbox's clock, the report of the day they were sent is complete (the sandbox says so):
    // u-4 is absent from it, so it certainly was not processed, and is sent.
    clockAheadMs = 2 * 24 * 60 * 60 * 1000;
    const rerun = await runCli([...args, "--json", ...fast], env).finally(() => {
      clockAheadMs = 0;
    });
    expect(rerun.code).toBe(0);
    const results = rerun.stdout
      .trimEnd()
      .split("\n")
      .map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(results.find((result) => result.requestReference === "u-2")).toMatchObject({ state: "sent" });
    expect(results.find((result) => result.requestReference === "u-4")).toMatchObject({ state: "sent" });
    expect([sendsOf("u-2"), sendsOf("u-4")]).toEqual([1, 2]);
    expect(withoutProgress(rerun.stderr)).toMatch(
      /^5 messages: 4 sent, 1 refused, 0 failed, 0 unknown; 4 settled by an earlier run \(not sent again\)\nread \d+ pages? of the receipts reports to settle messages whose fate was unknown\n$/,
    );
  });

  it("receipts that lag acceptance: a send whose answer was never journalled is not sent again, and is listed as unknown until its day's report is complete", async () => {
    // As `nhs-app sandbox --first-receipt 20000`: the report lists a message 20 s after it was accepted.
    let ahead = 0;
    const lagging = await sandboxFor({ now: () => Date.now() + ahead, delivery: { timing: { firstMs: 20_000 } } });
    try {
      await writeFile(file("lag.ndjson"), `${line("lag", 1, "in-app")}\n`);
      const args = ["send", "batch", file("lag.ndjson"), "--journal", file("lag.db"), ...fast];
      const first = await runCli(args, lagging.env);
      expect(first.code).toBe(0);
      // A crash between the send and its journal entry: the row is put back to sending.
      sqliteExec(file("lag.db"), "UPDATE campaign_messages SET state = 'sending', communication_id = NULL");

      const rerun = await runCli(args, lagging.env);
      expect(lagging.sandbox.createdMessages).toHaveLength(1);
      expect(rerun.code).toBe(1);
      expect(withoutProgress(rerun.stderr)).toContain("1 message: 0 sent, 0 refused, 0 failed, 1 unknown\n");
      expect(rerun.stderr).toMatch(/\nunknown, for a person to check: .*:\n {2}lag-1\n/);

      // Two days on by the sandbox's clock, the report of that day is complete and lists it: sent, once.
      ahead = 2 * 24 * 60 * 60 * 1000;
      const settled = await runCli([...args, "--json"], lagging.env);
      expect(settled.code).toBe(0);
      expect(JSON.parse(settled.stdout)).toMatchObject({
        requestReference: "lag-1",
        state: "sent",
        reconciled: true,
        communicationId: lagging.sandbox.createdMessages[0]?.communicationId,
      });
      expect(lagging.sandbox.createdMessages).toHaveLength(1);
    } finally {
      await lagging.sandbox.stop();
    }
  });

  it("refuses --out naming the batch file or the journal: exit 2, and both are left as they were", async () => {
    await writeFile(file("precious.ndjson"), `${line("p", 1, "in-app")}\n`);
    const before = await readFile(file("precious.ndjson"));
    for (const [out, says] of [
      [file("precious.ndjson"), "is the batch file itself"],
      [path.join(dir, ".", "precious.ndjson"), "is the batch file itself"],
      [file("precious.db"), "is the journal itself"],
    ] as const) {
      const run = await runCli(
        ["send", "batch", file("precious.ndjson"), "--journal", file("precious.db"), "--out", out],
        env,
      );
      expect({ code: run.code, oneLine: isOneErrorLine(run.stderr) }).toEqual({ code: 2, oneLine: true });
      expect(run.stderr).toContain(says);
    }
    expect(await readFile(file("precious.ndjson"))).toEqual(before);
    expect(existsSync(file("precious.db"))).toBe(false);
  });

  it("refuses a line over 1 MB by its number without holding it, and sends the rest", async () => {
    const huge = JSON.stringify({
      kind: "in-app",
      requestReference: "h-2",
      nhsNumber: testNhsNumber(2),
      odsCode: "B82041",
      text: "x".repeat(3 << 20),
    });
    await writeFile(file("huge.ndjson"), `${line("h", 1, "in-app")}\n${huge}\n${line("h", 3, "in-app")}`);
    const run = await runCli(
      ["send", "batch", file("huge.ndjson"), "--journal", file("huge.db"), "--json", ...fast],
      env,
    );
    expect(run.code).toBe(0);
    const results = run.stdout
      .trimEnd()
      .split("\n")
      .map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(results.find((result) => result.line === 2)).toMatchObject({
      state: "refused",
      reason: "line 2: longer than 1 MB: not read",
    });
    expect(
      results
        .filter((result) => result.state === "sent")
        .map((result) => result.line)
        .sort(),
    ).toEqual([1, 3]);
  });

  it("stops, says so, and exits 1 when stdout's reader goes away, rather than end quietly half way", async () => {
    await writeFile(file("piped.ndjson"), `${campaign("pp").join("\n")}\n`);
    const running = startCli(
      ["send", "batch", file("piped.ndjson"), "--journal", file("piped.db"), "--rate", "20"],
      env,
    );
    await running.waitFor(" sent ");
    running.child.stdout?.destroy();
    expect(await running.exited).toBe(1);
    const { stderr } = running.output();
    expect(stderr).toContain("stdout's reader went away, so the batch stopped");
    expect(stderr).toMatch(/^30 messages: /m);
    const status = JSON.parse((await runCli(["batch", "status", "--journal", file("piped.db"), "--json"])).stdout);
    expect(status.counts).toMatchObject({ sending: 0, unknown: 0 });
  });

  it("batch status counts a whole campaign, and refuses a journal that does not exist rather than make one", async () => {
    const status = await runCli(["batch", "status", "--journal", file("campaign.db"), "--json"]);
    expect(JSON.parse(status.stdout)).toMatchObject({ total: 30, counts: { sent: 30, unknown: 0, pending: 0 } });
    const missing = await runCli(["batch", "status", "--journal", file("missing.db")]);
    expect(missing).toMatchObject({
      code: 2,
      stdout: "",
      stderr: `nhs-app: the journal ${file("missing.db")} does not exist\n`,
    });
    expect(existsSync(file("missing.db"))).toBe(false);
  });

  it("on Ctrl-C starts no new send, lets those in flight finish and journals them, and a rerun sends the rest: each exactly once", async () => {
    await writeFile(file("interrupted.ndjson"), `${campaign("i").join("\n")}\n`);
    const args = ["send", "batch", file("interrupted.ndjson"), "--journal", file("interrupted.db")];
    // An NHS App that answers the first send and holds the rest until the test lets them go, so that sends
    // are certainly on their way when Ctrl-C comes, however busy the machine.
    const gateway = sandbox.gateway;
    const operation = gateway.operation.bind(gateway);
    let arrived = 0;
    const held: (() => void)[] = [];
    let holding = true;
    gateway.operation = async (id, request, override) => {
      if ((id === "create-in-app" || id === "create-notification") && ++arrived > 1 && holding) {
        await new Promise<void>((release) => held.push(release));
      }
      return operation(id, request, override);
    };
    try {
      const running = startCli([...args, "--rate", "20", "--concurrency", "3"], env);
      await running.waitFor(" sent ");
      await expect.poll(() => held.length, { timeout: 20_000 }).toBeGreaterThan(0);
      const inFlight = held.length;
      running.child.kill("SIGINT");
      // Once it says it is stopping, the sends in flight are let through (and any still on their way).
      await expect.poll(() => running.output().stderr, { timeout: 20_000 }).toContain("stopping: no new sends");
      holding = false;
      for (const release of held.splice(0)) release();
      expect(await running.exited).toBe(1);
      const { stdout, stderr } = running.output();
      const settled = stdout.trimEnd().split("\n");
      // Every result is a send: a message still waiting for its turn was never claimed, so it has no result.
      const sentLines = settled.filter((text) => / sent /.test(text));
      expect(sentLines, stdout).toEqual(settled);
      // The first, and every send that was in flight at Ctrl-C: finished and journalled as sent.
      expect(sentLines.length).toBeGreaterThanOrEqual(1 + inFlight);
      expect(sentLines.length).toBeLessThan(30);
      expect(stderr).toContain(
        `stopped early: ${30 - settled.length} read but not sent; run the same command again to send them`,
      );
      // What reached the sandbox is exactly what was journalled as sent, and nothing is left in between:
      // a message that waited for its turn was never claimed, so it is pending (sent next run), not unknown.
      const status = JSON.parse(
        (await runCli(["batch", "status", "--journal", file("interrupted.db"), "--json"])).stdout,
      );
      expect(status.counts).toMatchObject({ sent: sentLines.length, sending: 0, unknown: 0 });
      expect(status.counts).toMatchObject({ pending: 30 - sentLines.length, failed: 0 });
      expect(sentReferences().filter((reference) => reference.startsWith("i-"))).toHaveLength(sentLines.length);
    } finally {
      gateway.operation = operation;
      for (const release of held) release();
    }

    const rerun = await runCli([...args, ...fast], env);
    expect(rerun.code).toBe(0);
    const sent = sentReferences().filter((reference) => reference.startsWith("i-"));
    expect(sent).toHaveLength(30);
    expect(new Set(sent).size).toBe(30);
  });
});

describe.runIf(!hasSqlite)("nhs-app send batch without any SQLite", () => {
  it("says in one line that the journal needs Node 22.13 or later or better-sqlite3, and sends nothing", async () => {
    await writeFile(file("old-node.ndjson"), `${line("o", 1, "in-app")}\n`);
    const before = sandbox.gateway.requests.length;
    const run = await runCli(["send", "batch", file("old-node.ndjson"), "--journal", file("old-node.db")], env);
    expect({ code: run.code, stdout: run.stdout, oneLine: isOneErrorLine(run.stderr) }).toEqual({
      code: 1,
      stdout: "",
      oneLine: true,
    });
    expect(run.stderr).toContain(
      `needs node:sqlite, in Node 22.13 or later, or better-sqlite3 12 installed beside the CLI (this is Node ${process.version})`,
    );
    expect(sandbox.gateway.requests).toHaveLength(before);
  });
});

describe("nhs-app send batch, before any journal is opened", () => {
  it("a journal in a folder that does not exist: one line, exit 2, nothing sent", async () => {
    await writeFile(file("any.ndjson"), `${line("a", 1, "in-app")}\n`);
    const before = sandbox.gateway.requests.length;
    const journal = path.join(dir, "no-such-folder", "campaign.db");
    const run = await runCli(["send", "batch", file("any.ndjson"), "--journal", journal], env);
    expect(run).toEqual({
      code: 2,
      stdout: "",
      stderr: `nhs-app: the journal ${journal} cannot be created: the folder ${path.dirname(journal)} does not exist\n`,
    });
    expect(sandbox.gateway.requests).toHaveLength(before);
  });
});

describe.runIf(noPostgres === undefined)("nhs-app send batch --postgres", () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("sends a batch into a campaign of a PostgreSQL journal; a rerun sends nothing; batch status counts it", async () => {
    const lines = Array.from({ length: 8 }, (_, i) => line("pg", i + 1, i % 3 === 2 ? "push" : "in-app"));
    await writeFile(file("postgres.ndjson"), `${lines.join("\n")}\n`);
    const journal = ["--postgres", server.url(), "--campaign", "flu-2026"];
    const before = sentReferences().length;
    const run = await runCli(["send", "batch", file("postgres.ndjson"), ...journal, "--rate", "100"], env);
    expect(withoutProgress(run.stderr)).toBe("8 messages: 8 sent, 0 refused, 0 failed, 0 unknown\n");
    expect(run.code).toBe(0);
    expect(sentReferences().slice(before).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `pg-${i + 1}`).sort());

    const requests = sandbox.gateway.requests.length;
    const rerun = await runCli(["send", "batch", file("postgres.ndjson"), ...journal], env);
    expect(rerun.code).toBe(0);
    expect(withoutProgress(rerun.stderr)).toBe(
      "8 messages: 8 sent, 0 refused, 0 failed, 0 unknown; 8 settled by an earlier run (not sent again)\n",
    );
    expect(sandbox.gateway.requests).toHaveLength(requests);

    const status = await runCli(["batch", "status", ...journal, "--json"]);
    expect(JSON.parse(status.stdout)).toMatchObject({ total: 8, counts: { sent: 8, pending: 0, unknown: 0 } });
    // Another campaign in the same database is apart: the same file sends again there.
    const other = await runCli(
      ["send", "batch", file("postgres.ndjson"), "--postgres", server.url(), "--campaign", "other", "--rate", "100"],
      env,
    );
    expect(other.code).toBe(0);
    expect(sentReferences().slice(before)).toHaveLength(16);
  });

  it("batch status on a campaign the database does not hold: one line, exit 2", async () => {
    const run = await runCli(["batch", "status", "--postgres", server.url(), "--campaign", "flu-2062"]);
    expect(run).toEqual({
      code: 2,
      stdout: "",
      stderr: "nhs-app: the PostgreSQL journal of campaign flu-2062 holds no messages (is the campaign name right?)\n",
    });
  });

  it("a database that cannot be reached: one line naming where, never the password, before anything is sent", async () => {
    await writeFile(file("unreachable.ndjson"), `${line("x", 1, "in-app")}\n`);
    const port = await freePort();
    const before = sandbox.gateway.requests.length;
    const url = `postgres://campaigns:pg-secret-7391@127.0.0.1:${port}/campaigns`;
    const run = await runCli(["send", "batch", file("unreachable.ndjson"), "--postgres", url, "--campaign", "c"], env);
    expect({ code: run.code, stdout: run.stdout, oneLine: isOneErrorLine(run.stderr) }).toEqual({
      code: 1,
      stdout: "",
      oneLine: true,
    });
    expect(run.stderr).toContain(`127.0.0.1:${port}/campaigns`);
    expect(run.stderr).not.toContain("pg-secret-7391");
    expect(sandbox.gateway.requests).toHaveLength(before);
  });
});
