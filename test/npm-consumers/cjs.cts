// A CommonJS project of another team (require, no top-level await), against
// the packed tarballs as npm installs them. See esm.ts.
import { readFileSync } from "node:fs";
import { parseReceipt } from "@nhs-app-api/callbacks";
import { createNhsAppClient, inAppMessage } from "@nhs-app-api/client";
import { operations } from "@nhs-app-api/contract";
import { createTestKeys, replyExamples, startPrism, startSandbox, testNhsNumber } from "@nhs-app-api/testing";
import type { PatientReportEntry } from "@nhs-app-api/types";

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`cjs consumer: ${what}`);
}

async function main() {
  check(createTestKeys().privateKeyPem.includes("PRIVATE KEY"), "no test keys");
  check(
    replyExamples().every((example) => example.path === operations["create-realtime-replies"].path),
    "reply paths",
  );
  check(!parseReceipt("{}").ok, "an empty receipt was accepted");
  // Prism is an optional peer, not installed here: asking for it says, in one line, what to install.
  const withoutPrism = await startPrism().then(
    () => "started",
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  check(
    /install @stoplight\/prism-cli/.test(withoutPrism) && !withoutPrism.includes("\n"),
    `startPrism said: ${withoutPrism}`,
  );
  const sandbox = await startSandbox({ port: 0 });
  try {
    const client = createNhsAppClient({
      environment: { baseUrl: sandbox.baseUrl, tokenUrl: sandbox.tokenUrl },
      apiKey: sandbox.apiKey,
      keyId: sandbox.keyId,
      privateKey: readFileSync(sandbox.privateKeyPath, "utf8"),
    });
    const sent = await client.sendInAppMessage(
      inAppMessage({ nhsNumber: testNhsNumber(3), odsCode: "B82041", text: "Hi" }),
    );
    check(sent.communicationId.length > 0, "no communication ID");
    const patients: PatientReportEntry[] = [];
    for await (const patient of client.patients.items("T00001")) patients.push(patient);
    check(patients.length > 0, "no patients in the report");
    console.log(`cjs consumer ok: sent 1, read ${patients.length} patients`);
  } finally {
    await sandbox.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
