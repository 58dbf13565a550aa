// One of several worker processes (the many-workers test, the campaign
// bench): sends the whole campaign from a PostgreSQL journal it shares with
// the other workers, starting at its own share of it (so that all of them send
// side by side and only the shared rate budget holds them back), and reports
// its summary to the parent, which starts them all together.
import { readFile } from "node:fs/promises";
import { openPostgresJournal, sendBatch } from "@nhs-app-api/campaigns";
import { createNhsAppClient, inAppMessage } from "@nhs-app-api/client";
import { testNhsNumber } from "@nhs-app-api/testing";

const { sandbox, databaseUrl, limit, arrivalMarginMs, messages: count, worker, workers } = JSON.parse(process.argv[2]);

const client = createNhsAppClient({
  environment: { baseUrl: sandbox.baseUrl, tokenUrl: sandbox.tokenUrl },
  apiKey: sandbox.apiKey,
  keyId: sandbox.keyId,
  privateKey: await readFile(sandbox.privateKeyPath, "utf8"),
  retry: { maxAttempts: 1 },
});
const messages = Array.from({ length: count }, (_, i) => ({
  kind: "in-app",
  requestReference: `bench-${i}`,
  message: inAppMessage({ nhsNumber: testNhsNumber(i), odsCode: "B82041", text: `Invitation ${i}` }),
}));
const from = Math.floor((count / workers) * worker);
const order = [...messages.slice(from), ...messages.slice(0, from)];
const journal = await openPostgresJournal({
  connectionString: databaseUrl,
  campaign: "bench",
  requestsPerSecond: limit,
  ...(arrivalMarginMs === undefined ? {} : { arrivalMarginMs }),
});
// The token before the start signal, so that the run measures sending alone. (The call counts against the
// sandbox's limit: the parent waits for it to leave the sliding second before it starts the workers.)
await client.getReceiptReport({ day: "2026-01-01" });
process.send({ ready: true });
await new Promise((resolve) => process.once("message", resolve));

const batch = sendBatch(client, order, { journal, concurrency: 4 });
let next = await batch.next();
while (!next.done) next = await batch.next();
await journal.close();
process.send({ summary: next.value });
