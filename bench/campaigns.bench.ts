// `pnpm bench` (third part): the campaign sender's sustained rate against a
// sandbox that enforces the platform's integration limit (20 requests a
// second, a sliding second), as a ratio to that limit, with the 429s it
// earned: first one process with a SQLite journal, then four worker processes
// sharing a PostgreSQL journal and its rate budget. The limit is the baseline:
// a sender that keeps it exactly scores 1.00 with no 429. The rate is the
// sandbox's: accepted messages over the time between the first and the last
// arrival. BENCH_CAMPAIGN_SECONDS sets each run's length (default 60).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createMemoryJournal, openSqliteJournal, sendBatch } from "@nhs-app-api/campaigns";
import { createNhsAppClient, inAppMessage } from "@nhs-app-api/client";
import { testNhsNumber } from "@nhs-app-api/testing";
import { startPostgres, whyNoPostgres } from "../packages/campaigns/test/postgres-server.ts";
import { runPostgresWorkers } from "../packages/campaigns/test/postgres-workers.ts";
import { type Arrivals, sandboxThread } from "./sandbox-thread.ts";

const LIMIT = 20;
const SECONDS = Number(process.env.BENCH_CAMPAIGN_SECONDS ?? 60);
const MESSAGES = LIMIT * SECONDS;
const WORKERS = 4;

/** A sandbox limited to LIMIT a second, as the NHS App would be: elsewhere. */
const limitedSandbox = () => sandboxThread({ rateLimit: { requestsPerSecond: LIMIT } });

/** One row of the table: the rate the sandbox saw, its ratio to the limit, and the tightest second it saw. */
function report(label: string, { accepted, requests }: Arrivals, notSent: number) {
  const refused = requests - accepted.length;
  const first = accepted[0] ?? 0;
  const seconds = ((accepted.at(-1) ?? first) - first) / 1000 || 1;
  const rate = (accepted.length - 1) / seconds; // n arrivals, n - 1 intervals
  // The shortest span of LIMIT + 1 consecutive arrivals: at 1000 ms or under, the limit was broken.
  let tightest = Number.POSITIVE_INFINITY;
  for (let i = LIMIT; i < accepted.length; i++) {
    tightest = Math.min(tightest, (accepted[i] as number) - (accepted[i - LIMIT] as number));
  }
  const met = rate / LIMIT >= 0.99 && refused === 0 && notSent === 0;
  console.log(
    `${label.padEnd(34)}${rate.toFixed(2).padStart(9)}   ${(rate / LIMIT).toFixed(3)}x ${String(refused).padStart(6)} ${tightest.toFixed(1).padStart(9)} ms   ${met ? "met" : "not met"}`,
  );
  return { accepted: accepted.length, seconds, notSent };
}

async function oneProcess(): Promise<void> {
  const sandbox = await limitedSandbox();
  const dir = await mkdtemp(path.join(tmpdir(), "nhs-app-bench-campaign-"));
  try {
    const { settings } = sandbox;
    const client = createNhsAppClient({
      environment: { baseUrl: settings.baseUrl, tokenUrl: settings.tokenUrl },
      apiKey: settings.apiKey,
      keyId: settings.keyId,
      privateKey: await readFile(settings.privateKeyPath, "utf8"),
      // A 429 is the sender's failure to measure here, not something to retry past.
      retry: { maxAttempts: 1 },
    });
    const sqlite = process.getBuiltinModule?.("node:sqlite") !== undefined;
    const journal = sqlite ? openSqliteJournal(path.join(dir, "campaign.db")) : createMemoryJournal();
    const messages = Array.from({ length: MESSAGES }, (_, i) => ({
      kind: "in-app" as const,
      requestReference: `bench-${i}`,
      message: inAppMessage({ nhsNumber: testNhsNumber(i), odsCode: "B82041", text: `Invitation ${i}` }),
    }));
    // The token first, so that the run measures sending alone; then a second for that call to leave the limit's window.
    await client.getReceiptReport({ day: "2026-01-01" });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    let notSent = 0;
    for await (const outcome of sendBatch(client, messages, { journal, requestsPerSecond: LIMIT, concurrency: 4 })) {
      if (outcome.state !== "sent") notSent++;
    }
    await journal.close();
    report(`1 process, ${sqlite ? "SQLite" : "in-memory"} journal`, await sandbox.arrivals(), notSent);
  } finally {
    await sandbox.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function fourWorkers(): Promise<void> {
  const why = whyNoPostgres();
  if (why) {
    console.log(`${WORKERS} workers, PostgreSQL journal      skipped: ${why}`);
    return;
  }
  const postgres = await startPostgres();
  const sandbox = await limitedSandbox();
  try {
    await runPostgresWorkers({
      sandbox: sandbox.settings,
      databaseUrl: postgres.url(),
      limit: LIMIT,
      messages: MESSAGES,
      workers: WORKERS,
    });
    // What the sandbox accepted is what was sent (a worker's summary also counts what others sent before it looked).
    const arrivals = await sandbox.arrivals();
    report(`${WORKERS} workers, PostgreSQL journal`, arrivals, MESSAGES - arrivals.accepted.length);
  } finally {
    await sandbox.stop();
    await postgres.stop();
  }
}

console.log(
  `\nSending a campaign of ${MESSAGES} in-app messages against a sandbox limited to ${LIMIT} a second (4 in flight per process):\n`,
);
console.log(`${"".padEnd(34)}messages/s   vs limit   429s  tightest ${LIMIT + 1}   target (≥ 0.99x, no 429)`);
console.log(`${"the limit".padEnd(34)}${LIMIT.toFixed(2).padStart(9)}   1.000x`);
await oneProcess();
await fourWorkers();
console.log(
  `\n"tightest ${LIMIT + 1}": the shortest time in which the sandbox saw ${LIMIT + 1} consecutive messages (over 1000 ms keeps the limit).`,
);
