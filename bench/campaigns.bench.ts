// `pnpm bench` (third part): the campaign sender's sustained rate against a
// sandbox that enforces the platform's integration limit (20 requests a
// second, a sliding second), as a ratio to that limit, with the 429s it
// earned. The limit is the baseline: a sender that keeps it exactly scores
// 1.00 with no 429. BENCH_CAMPAIGN_SECONDS sets the length (default 60).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createMemoryJournal, openSqliteJournal, sendBatch } from "@nhs-app-api/campaigns";
import { createNhsAppClient, inAppMessage } from "@nhs-app-api/client";
import { startSandbox, testNhsNumber } from "@nhs-app-api/testing";

const LIMIT = 20;
const SECONDS = Number(process.env.BENCH_CAMPAIGN_SECONDS ?? 60);
const MESSAGES = LIMIT * SECONDS;

const sandbox = await startSandbox({ port: 0, rateLimit: { requestsPerSecond: LIMIT } });
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
  const created = sandbox.createdMessages.length;
  const refused = sandbox.gateway.requests.filter((r) => r.operation === "create-in-app").length - created;
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
  await sandbox.stop();
  await rm(dir, { recursive: true, force: true });
}
