// Issue 19, item 4: a worker that dies among several. Four `nhs-app send
// batch --postgres` processes send one campaign from one PostgreSQL journal
// against the in-process sandbox, and one of them is killed (SIGKILL) while it
// certainly has sends in flight. The sandbox holds every message request for a
// moment once sending is under way: each worker can have at most
// --concurrency requests in flight, so once 4 × 4 are held, each worker has
// exactly four of them at the sandbox, the one killed included. After the
// kill its claims are found in the journal (their claimant's lease runs out),
// and its held requests are let through to the sandbox (they reach the NHS
// App, but nobody journals the answer) or lost on the way (they never reach
// it): the survivors must settle the first from today's receipts report, as
// sent, and leave the second unknown, listed for a person, never sent again.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Journal, openPostgresJournal } from "@nhs-app-api/campaigns";
import { type Sandbox, testNhsNumber } from "@nhs-app-api/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noteSkipped } from "../../../test/published.ts";
import { type PostgresServer, startPostgres, whyNoPostgres } from "../../campaigns/test/postgres-server.ts";
import { ensureBuilt, type Running, runCli, startCli } from "./support/cli.ts";
import { sandboxFor } from "./support/sandbox.ts";

const noPostgres = whyNoPostgres();
if (noPostgres) noteSkipped("the CLI's send batch tests of several --postgres workers, one of which dies", noPostgres);

const REQUEST_ID = "https://fhir.nhs.uk/NHSApp/request-id";
const MESSAGES = 200;
const WORKERS = 4;
const CONCURRENCY = 4;
/** Message requests the sandbox answers before it starts holding them: sending is under way by then. */
const LET_THROUGH = 20;
const UNKNOWN_HEADING = "unknown, for a person to check:";
const PAGES_READ = /^read (\d+) pages? of the receipts reports to settle messages whose fate was unknown$/m;
const SUMMARY = /^(\d+) messages?: (\d+) sent, (\d+) refused, (\d+) failed, (\d+) unknown(?:; (.*))?$/m;

let server: PostgresServer;
let dir: string;

beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), "nhs-app-cli-workers-"));
  if (!noPostgres) server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A sandbox on a free port of 127.0.0.1, and the environment that points the CLI at it. */
const sandboxWith = (receiptsPerPage: number) => sandboxFor({ receiptsPerPage });

/** The request reference a message request carries. */
function referenceOf(body: unknown): string {
  const parsed = (typeof body === "string" ? JSON.parse(body) : body) as {
    identifier?: { system: string; value: string }[];
  };
  return parsed.identifier?.find((identifier) => identifier.system === REQUEST_ID)?.value ?? "(none)";
}

/** How many times each request reference reached the sandbox's create endpoints (a refused one too). */
function receivedCounts(sandbox: Sandbox): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of sandbox.gateway.requests) {
    if (request.operation !== "create-in-app" && request.operation !== "create-notification") continue;
    const reference = referenceOf(request.body);
    counts.set(reference, (counts.get(reference) ?? 0) + 1);
  }
  return counts;
}

const messageRequests = (sandbox: Sandbox) =>
  sandbox.gateway.requests.filter(
    (request) => request.operation === "create-in-app" || request.operation === "create-notification",
  ).length;

/** The campaign: every fourth message a push notification, the rest in-app messages. */
function campaignLines(prefix: string): string[] {
  return Array.from({ length: MESSAGES }, (_, i) => {
    const n = i + 1;
    const requestReference = `${prefix}-${n}`;
    const nhsNumber = testNhsNumber(n);
    return n % 4 === 0
      ? JSON.stringify({
          kind: "push",
          requestReference,
          nhsNumber,
          text: "You have a new message.",
          url: "https://www.nhsapp.service.nhs.uk/patient/messages/app-messaging",
        })
      : JSON.stringify({ kind: "in-app", requestReference, nhsNumber, odsCode: "B82041", text: `Invitation ${n}` });
  });
}

interface Outcome {
  requestReference: string;
  state: "sent" | "refused" | "failed" | "unknown";
  communicationId: string | null;
  reconciled?: boolean;
  fromEarlierRun?: boolean;
}

/** What a worker said: its results (NDJSON on stdout) and its closing summary (stderr). */
function readWorker(stdout: string, stderr: string) {
  const outcomes = stdout
    .split("\n")
    .filter((text) => text !== "")
    .map((text) => JSON.parse(text) as Outcome);
  const summary = SUMMARY.exec(stderr);
  const pages = PAGES_READ.exec(stderr);
  // The references listed under the unknown heading, two spaces in, up to the next line that is not one.
  const at = stderr.indexOf(`\n${UNKNOWN_HEADING}`);
  const listedUnknown =
    at < 0
      ? []
      : (
          stderr
            .slice(at + 1)
            .split("\n")
            .slice(1)
            .join("\n")
            .match(/^(?: {2}\S+\n)*/)?.[0] ?? ""
        )
          .split("\n")
          .filter((text) => text !== "")
          .map((text) => text.trim());
  return {
    outcomes,
    summary: summary
      ? {
          total: Number(summary[1]),
          sent: Number(summary[2]),
          refused: Number(summary[3]),
          failed: Number(summary[4]),
          unknown: Number(summary[5]),
          notes: summary[6] ?? "",
        }
      : undefined,
    pagesRead: pages ? Number(pages[1]) : undefined,
    listedUnknown,
    stoppedEarly: /^stopped early: /m.test(stderr),
  };
}

const sorted = (references: Iterable<string>) => [...references].sort();

/** Waits for a process to end, failing (with what it said) if it has not ended by then. */
async function ended(worker: Running, timeoutMs: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      worker.exited,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const { stdout, stderr } = worker.output();
          reject(
            new Error(`a surviving worker did not finish in ${timeoutMs} ms; stderr: ${stderr}; stdout: ${stdout}`),
          );
        }, timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

interface Scenario {
  /** The campaign's name in the database, and its request references' prefix. */
  campaign: string;
  /** Of the killed worker's four held requests, how many are lost on the way (never reach the sandbox). */
  lost: number;
  receiptsPerPage: number;
}

/**
 * Runs the four workers, kills one while four of its sends are held at the
 * sandbox, lets the held requests go (the killed worker's own through to the
 * sandbox, or `lost` of them not), and waits for the three others to finish.
 */
async function workerDies({ campaign, lost, receiptsPerPage }: Scenario) {
  const { sandbox, env } = await sandboxWith(receiptsPerPage);
  const gateway = sandbox.gateway;
  const operation = gateway.operation.bind(gateway);
  const held: { reference: string; release: (through: boolean) => void }[] = [];
  let creates = 0;
  let holding = true;
  gateway.operation = async (id, request, override) => {
    if ((id === "create-in-app" || id === "create-notification") && ++creates > LET_THROUGH && holding) {
      const through = await new Promise<boolean>((release) =>
        held.push({ reference: referenceOf(request.body), release }),
      );
      // Lost on the way: the NHS App never sees it (and nobody is left to read this answer).
      if (!through) {
        return {
          status: 503,
          headers: { "content-type": "application/fhir+json" },
          body: {
            resourceType: "OperationOutcome",
            issue: [{ severity: "error", code: "transient", diagnostics: "lost on the way" }],
          },
        };
      }
    }
    return operation(id, request, override);
  };

  const file = path.join(dir, `${campaign}.ndjson`);
  await writeFile(file, `${campaignLines(campaign).join("\n")}\n`);
  const args = [
    ...["send", "batch", file, "--postgres", server.url(), "--campaign", campaign],
    ...["--rate", "40", "--concurrency", String(CONCURRENCY), "--json", "--quiet"],
  ];
  const workers: Running[] = [];
  // The test's own view of the journal: a worker of the campaign that claims nothing and sends nothing.
  let journal: Journal | undefined;
  const stop = async () => {
    gateway.operation = operation;
    holding = false;
    for (const { release } of held.splice(0)) release(true);
    for (const worker of workers) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill("SIGKILL");
    }
    await Promise.all(workers.map((worker) => worker.exited));
    await journal?.close();
    await sandbox.stop();
  };
  const said = () =>
    workers.map((worker, i) => `worker ${i}: stderr: ${worker.output().stderr}`).join("\n") +
    `\nheld: ${held.length}; message requests: ${messageRequests(sandbox)}`;
  const until = async <T>(what: string, actual: () => T | Promise<T>, expected: T, timeout: number) => {
    try {
      await expect.poll(actual, { timeout, interval: 100 }).toBe(expected);
    } catch (error) {
      throw new Error(`not so: ${what}\n${said()}`, { cause: error });
    }
  };

  try {
    for (let i = 0; i < WORKERS; i++) workers.push(startCli(args, env));

    // Every worker has all its sends held at the sandbox: at most CONCURRENCY each, so exactly that many each.
    await until("every worker's sends held at the sandbox", () => held.length, WORKERS * CONCURRENCY, 90_000);
    const heldReferences = held.map(({ reference }) => reference);
    expect(new Set(heldReferences).size).toBe(WORKERS * CONCURRENCY);
    journal = await openPostgresJournal({ connectionString: server.url(), campaign });
    const view = journal;
    // Nothing else is in flight: what the journal has as `sending` is exactly what the sandbox holds.
    const sendingNow = (await view.entries()).filter((entry) => entry.state === "sending");
    expect(sorted(sendingNow.map((entry) => entry.requestReference))).toEqual(sorted(heldReferences));
    expect(sendingNow.every((entry) => entry.claimLive === true)).toBe(true);

    // Which one does not matter: each has four sends held.
    const victim = workers[1] as Running;
    victim.child.kill("SIGKILL");
    await victim.exited;
    expect(victim.child.signalCode).toBe("SIGKILL");

    // Its claims: once its lease has run out, its four held sends read claimLive false, the others' still true.
    const deadClaims = async () =>
      (await view.lookup(heldReferences))
        .filter((entry) => entry.claimLive === false)
        .map((entry) => entry.requestReference);
    await until(
      "the killed worker's claims read claimLive false",
      async () => (await deadClaims()).length,
      CONCURRENCY,
      60_000,
    );
    const victims = sorted(await deadClaims());
    expect(victims).toHaveLength(CONCURRENCY);
    const live = (await view.lookup(heldReferences)).filter((entry) => entry.claimLive === true);
    expect(live).toHaveLength((WORKERS - 1) * CONCURRENCY);
    const lostOnTheWay = victims.slice(0, lost);
    const reachedButUnjournalled = victims.slice(lost);

    // Let go: the survivors' sends, and the dead worker's (answered to nobody), but for those lost on the way.
    holding = false;
    for (const { reference, release } of held.splice(0)) release(!lostOnTheWay.includes(reference));

    const survivors = workers.filter((worker) => worker !== victim);
    const codes = await Promise.all(survivors.map((worker) => ended(worker, 180_000)));
    const results = survivors.map((worker, i) => {
      const { stdout, stderr } = worker.output();
      return { code: codes[i], stderr, ...readWorker(stdout, stderr) };
    });
    return {
      sandbox,
      env,
      args,
      campaign,
      receiptsPerPage,
      view,
      results,
      victims,
      lostOnTheWay,
      reachedButUnjournalled,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

type Run = Awaited<ReturnType<typeof workerDies>>;

/** What holds whichever of the dead worker's sends reached the NHS App. */
async function assertAfterTheDeath(run: Run) {
  const { sandbox, view, results, lostOnTheWay, reachedButUnjournalled } = run;
  const entries = await view.entries();
  expect(entries).toHaveLength(MESSAGES);
  const received = receivedCounts(sandbox);

  // At most once each, ever; exactly once each that the journal says was sent, with the sandbox's communication ID.
  for (const [reference, count] of received) expect(count, reference).toBe(1);
  expect(received.size).toBe(MESSAGES - lostOnTheWay.length);
  const created = new Map(
    sandbox.createdMessages.map((message) => [message.requestReference, message.communicationId]),
  );
  for (const entry of entries) {
    if (entry.state === "sent") {
      expect(received.get(entry.requestReference), entry.requestReference).toBe(1);
      expect(entry.communicationId).toBe(created.get(entry.requestReference));
    }
  }
  for (const reference of lostOnTheWay) expect(received.get(reference)).toBeUndefined();
  for (const reference of reachedButUnjournalled) expect(received.get(reference)).toBe(1);

  // Every survivor finished, and its exit code agrees with its own summary.
  for (const result of results) {
    expect(result.summary, result.stderr).toBeDefined();
    const summary = result.summary as NonNullable<typeof result.summary>;
    expect(summary.total, result.stderr).toBe(MESSAGES);
    expect(summary.failed, result.stderr).toBe(0);
    expect(result.stoppedEarly, result.stderr).toBe(false);
    expect(result.code, result.stderr).toBe(summary.unknown + summary.failed > 0 ? 1 : 0);
    // Its results: each message once at most; unknown only where the dead worker's send was lost.
    const references = result.outcomes.map((outcome) => outcome.requestReference);
    expect(new Set(references).size, result.stderr).toBe(references.length);
    const unknowns = result.outcomes.filter((outcome) => outcome.state === "unknown");
    expect(unknowns).toHaveLength(summary.unknown);
    expect(sorted(result.listedUnknown)).toEqual(sorted(unknowns.map((outcome) => outcome.requestReference)));
    for (const outcome of unknowns) expect(lostOnTheWay).toContain(outcome.requestReference);
    const reconciled = result.outcomes.filter((outcome) => outcome.reconciled);
    for (const outcome of reconciled) {
      expect(reachedButUnjournalled).toContain(outcome.requestReference);
      expect(outcome).toMatchObject({ state: "sent", communicationId: created.get(outcome.requestReference) });
    }
    if (reconciled.length > 0) {
      expect(result.summary?.notes).toContain(`${reconciled.length} found in the receipts report (not sent again)`);
    }
    // Reconciling happened (something settled from the reports, or left unknown by them): it says how many pages.
    // (A survivor may also read pages and then find another settled the same leftover first: it reports none.)
    if (reconciled.length > 0 || unknowns.length > 0) {
      expect(result.stderr).toMatch(PAGES_READ);
      expect(result.pagesRead).toBeGreaterThanOrEqual(1);
    }
  }
  // Between them, the survivors settled each of the dead worker's sends: found (sent) or left unknown.
  const settledFromReports = new Set(
    results.flatMap((result) =>
      result.outcomes.filter((outcome) => outcome.reconciled).map((outcome) => outcome.requestReference),
    ),
  );
  expect(sorted(settledFromReports)).toEqual(sorted(reachedButUnjournalled));
  const listed = new Set(results.flatMap((result) => result.listedUnknown));
  expect(sorted(listed)).toEqual(sorted(lostOnTheWay));

  // batch status: nothing left sending; unknown exactly what was lost on the way.
  const status = await runCli(["batch", "status", "--postgres", server.url(), "--campaign", run.campaign, "--json"]);
  expect(status).toMatchObject({ code: 0, stderr: "" });
  expect(JSON.parse(status.stdout)).toEqual({
    total: MESSAGES,
    counts: {
      pending: 0,
      sending: 0,
      sent: MESSAGES - lostOnTheWay.length,
      refused: 0,
      failed: 0,
      unknown: lostOnTheWay.length,
    },
    unknown: entries.filter((entry) => lostOnTheWay.includes(entry.requestReference)).map((e) => e.requestReference),
    sending: [],
    failed: [],
  });
}

describe.runIf(noPostgres === undefined)("nhs-app send batch --postgres: a worker that dies among several", () => {
  it("four workers, one killed with four sends in flight that reach the NHS App unjournalled: the survivors find them in today's report (sent, never resent), reading only the pages they need, and exit 0; a rerun sends nothing", async () => {
    const run = await workerDies({ campaign: "workers-reached", lost: 0, receiptsPerPage: 4 });
    try {
      await assertAfterTheDeath(run);
      const { sandbox, results, reachedButUnjournalled, receiptsPerPage } = run;
      for (const result of results) {
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).not.toContain(UNKNOWN_HEADING);
      }
      // The reconcile stops reading once every message it looks for is found. The report lists receipts in
      // the order they happened, each message's first when it was accepted: so no further than the receipts
      // of the messages accepted up to the last of the dead worker's (at most four each: an in-app message's
      // Delivered, NotificationAttempted, Notified and Read), well short of the whole day's report.
      const created = sandbox.createdMessages.map((message) => message.requestReference);
      const last = Math.max(...reachedButUnjournalled.map((reference) => created.indexOf(reference)));
      const needed = Math.ceil(((last + 1) * 4) / receiptsPerPage);
      const reconciling = results.filter((result) => result.pagesRead !== undefined);
      expect(reconciling.length).toBeGreaterThanOrEqual(1);
      for (const result of reconciling) expect(result.pagesRead).toBeLessThanOrEqual(needed);

      // A rerun: every message settled by an earlier run; nothing sent, no report read.
      const before = sandbox.gateway.requests.length;
      const rerun = await runCli(run.args, run.env, 120_000);
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(rerun.stderr).toBe(
        `${MESSAGES} messages: ${MESSAGES} sent, 0 refused, 0 failed, 0 unknown; ${MESSAGES} settled by an earlier run (not sent again)\n`,
      );
      expect(messageRequests(sandbox)).toBe(MESSAGES);
      expect(sandbox.gateway.requests.slice(before).filter((request) => request.operation !== "token")).toEqual([]);
    } finally {
      await run.stop();
    }
  }, 300_000);

  it("four workers, one killed with four sends in flight, two of which never reach the NHS App: the survivors settle the two that did as sent, list the other two as unknown and exit 1; batch status and a rerun say the same, and nothing is sent again", async () => {
    const run = await workerDies({ campaign: "workers-lost", lost: 2, receiptsPerPage: 50 });
    try {
      await assertAfterTheDeath(run);
      const { sandbox, results, lostOnTheWay } = run;
      // At least one survivor reports them, by reference, under the heading, and exits 1.
      const reporting = results.filter((result) => result.listedUnknown.length > 0);
      expect(reporting.length).toBeGreaterThanOrEqual(1);
      for (const result of reporting) {
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(
          /\nunknown, for a person to check: they may have reached the NHS App, so they are not sent again until the receipts reports of their day, once complete, show whether they did \(a rerun reads them\):\n/,
        );
      }

      // A rerun at once (today's report is not complete): still unknown, named, exit 1; nothing sent.
      const requests = messageRequests(sandbox);
      const rerun = await runCli(run.args, run.env, 120_000);
      expect(rerun.code, rerun.stderr).toBe(1);
      expect(messageRequests(sandbox)).toBe(requests);
      const said = readWorker(rerun.stdout, rerun.stderr);
      expect(said.summary).toEqual({
        total: MESSAGES,
        sent: MESSAGES - lostOnTheWay.length,
        refused: 0,
        failed: 0,
        unknown: lostOnTheWay.length,
        notes: `${MESSAGES - lostOnTheWay.length} settled by an earlier run (not sent again)`,
      });
      expect(sorted(said.listedUnknown)).toEqual(sorted(lostOnTheWay));
      expect(
        sorted(said.outcomes.filter((outcome) => outcome.state === "unknown").map((o) => o.requestReference)),
      ).toEqual(sorted(lostOnTheWay));
      expect(said.pagesRead).toBeGreaterThanOrEqual(1);
      const status = JSON.parse(
        (await runCli(["batch", "status", "--postgres", server.url(), "--campaign", "workers-lost", "--json"])).stdout,
      );
      expect(status.counts).toMatchObject({ sending: 0, unknown: lostOnTheWay.length });
      expect(sorted(status.unknown)).toEqual(sorted(lostOnTheWay));
    } finally {
      await run.stop();
    }
  }, 300_000);
});
