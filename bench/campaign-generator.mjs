// A campaign from an async generator, through the built library, as its own
// process (for campaign-memory.bench.ts): `messages` messages made on demand,
// sent to the sandbox with a SQLite journal until the bench stops it (SIGINT,
// as an operator's Ctrl-C).
import { readFileSync } from "node:fs";
import { openSqliteJournal, sendBatch } from "@nhs-app-api/campaigns";
import { createNhsAppClient, inAppMessage } from "@nhs-app-api/client";

const { sandbox, journalPath, messages, rate, prefix } = JSON.parse(process.argv[2]);
const client = createNhsAppClient({
  environment: { baseUrl: sandbox.baseUrl, tokenUrl: sandbox.tokenUrl },
  apiKey: sandbox.apiKey,
  keyId: sandbox.keyId,
  privateKey: readFileSync(sandbox.privateKeyPath, "utf8"),
});
const journal = openSqliteJournal(journalPath, { source: `generator of ${messages}` });
const text =
  "Your flu vaccination is due. Please book an appointment at your GP practice: call 01234 567890 or book online.";
async function* campaign() {
  for (let n = 0; n < messages; n++) {
    yield {
      kind: "in-app",
      requestReference: `${prefix}-${n}`,
      message: inAppMessage({ nhsNumber: "9990000018", odsCode: "A12345", text }),
    };
  }
}
const stop = new AbortController();
process.once("SIGINT", () => stop.abort());
let outcomes = 0;
for await (const _ of sendBatch(client, campaign(), { journal, requestsPerSecond: rate, signal: stop.signal })) {
  outcomes++;
}
await journal.close();
process.stdout.write(JSON.stringify({ outcomes }));
