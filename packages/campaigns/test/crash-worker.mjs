// One run of a campaign, as its own process, so that a test can kill it with
// SIGKILL at any moment: the built packages, a SQLite journal, the sandbox.
import { readFileSync } from "node:fs";
import { openSqliteJournal, sendBatch } from "@nhs-app-api/campaigns";
import { createNhsAppClient, inAppMessage } from "@nhs-app-api/client";

const { baseUrl, tokenUrl, apiKey, keyId, privateKeyPath, journalPath, nhsNumbers } = JSON.parse(process.argv[2]);
const client = createNhsAppClient({
  environment: { baseUrl, tokenUrl },
  apiKey,
  keyId,
  privateKey: readFileSync(privateKeyPath, "utf8"),
});
const journal = openSqliteJournal(journalPath, { source: "crash-test" });
// When a day's receipts report is complete is the sandbox's to say, by its own clock.
const clock = new URL("/_sandbox/clock", baseUrl);
const isReportComplete = async (day) => {
  const { receiptReports } = await (await fetch(clock)).json();
  return day < receiptReports.completeBefore;
};
const messages = nhsNumbers.map((nhsNumber, i) => ({
  kind: "in-app",
  requestReference: `crash-${i}`,
  message: inAppMessage({ nhsNumber, odsCode: "B82041", text: `Invitation ${i}`, campaignId: "crash-test" }),
}));
const batch = sendBatch(client, messages, {
  journal,
  requestsPerSecond: 400,
  concurrency: 4,
  reconcile: { isReportComplete },
});
let result = await batch.next();
while (!result.done) result = await batch.next();
await journal.close();
process.stdout.write(JSON.stringify(result.value));
