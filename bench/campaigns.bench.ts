// `pnpm bench` (third part): the campaign sender's sustained rate against a
// sandbox that enforces the platform's integration limit (20 requests a
// second, a sliding second), as a ratio to that limit, with the 429s it
// earned. The limit is the baseline: a sender that keeps it exactly scores
// 1.00 with no 429. BENCH_CAMPAIGN_SECONDS sets the length (default 60).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { createMemoryJournal, openSqliteJournal, sendBatch } from "@nhs-app-api/campaigns";
import { createNhsAppClient, inAppMessage } from "@nhs-app-api/client";
import { testNhsNumber } from "@nhs-app-api/testing";

const LIMIT = 20;
const SECONDS = Number(process.env.BENCH_CAMPAIGN_SECONDS ?? 60);
const MESSAGES = LIMIT * SECONDS;

// The sandbox on its own thread (see sandbox-worker.mjs), as the NHS App would be: elsewhere.
const worker = new Worker(new URL("./sandbox-worker.mjs", import.meta.url), {
  workerData: { rateLimit: { requestsPerSecond: LIMIT } },
});
const ask = <T>(message?: string) =>
  new Promise<T>((resolve) => {
    worker.once("message", resolve);
    if (message) worker.postMessage(message);
  });
const sandbox = await ask<{
  baseUrl: string;
  tokenUrl: string;
  apiKey: string;
  keyId: string;
  privateKeyPath: string;
}>();
const dir = await mkdtemp(path.join(tmpdir(), "nhs-app-bench-campaign-"));
try {
  const client = createNhsAppClient({
    environment: { baseUrl: sandbox.baseUrl, tokenUrl: sandbox.tokenUrl },
    apiKey: sandbox.apiKey,
    keyId: sandbox.keyId,
    privateKey: await readFile(sandbox.privateKeyPath, "utf8"),
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
  // The token first, so that the measured time is sending alone.
  await client.getReceiptReport({ day: "2026-01-01" });

  console.log(
    `\nSending a campaign of ${MESSAGES} in-app messages against a sandbox limited to ${LIMIT} a second (${sqlite ? "SQLite" : "in-memory"} journal, 4 in flight):\n`,
  );
  const started = performance.now();
  let first: number | undefined;
  let last = started;
  let failed = 0;
  for await (const outcome of sendBatch(client, messages, { journal, requestsPerSecond: LIMIT, concurrency: 4 })) {
    if (outcome.state === "sent") {
      first ??= performance.now();
      last = performance.now();
    } else failed++;
  }
  await journal.close();
  const { created, requests } = await ask<{ created: number; requests: number }>("counts");
  const refused = requests - created;
  // Rate over the span between the first and last accepted message: n - 1 intervals.
  const seconds = (last - (first ?? started)) / 1000 || 1;
  const rate = (created - 1) / seconds;
  console.log(`                         messages/s   vs limit`);
  console.log(`the limit                 ${LIMIT.toFixed(2).padStart(9)}      1.000x`);
  console.log(`the campaign sender       ${rate.toFixed(2).padStart(9)}      ${(rate / LIMIT).toFixed(3)}x`);
  console.log(
    `\n${created} accepted in ${seconds.toFixed(1)} s, ${refused} refused by the rate limit (429), ${failed} not sent; target: at least 0.99x with no 429, ${rate / LIMIT >= 0.99 && refused === 0 ? "met" : "not met"}.`,
  );
} finally {
  await ask("stop");
  await worker.terminate();
  await rm(dir, { recursive: true, force: true });
}
