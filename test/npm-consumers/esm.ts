// An ES module project of another team, written against the packed tarballs
// as npm installs them (no workspace, no msw, no Prism). Compiled under
// strict TypeScript and run by `pnpm test` (scripts/check-packages.ts).
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createCallbackHandler, type Receipt } from "@nhs-app-api/callbacks";
import { ClientValidationError, createNhsAppClient, inAppMessage, pushNotification } from "@nhs-app-api/client";
import { limits, requestBodyIssues } from "@nhs-app-api/contract";
import { receiptExamples, startSandbox, testNhsNumber } from "@nhs-app-api/testing";
import type { InAppCommunicationRequest } from "@nhs-app-api/types";
import type { RealtimeReceipt } from "@nhs-app-api/types/realtime-receipts";

/** The installed `nhs-app` bin, as a team's script runs it. */
function nhsApp(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile("node_modules/.bin/nhs-app", args, { env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      error ? reject(new Error(`nhs-app ${args.join(" ")}: ${stderr.trim()}`)) : resolve(stdout),
    ),
  );
}

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`esm consumer: ${what}`);
}

const sandbox = await startSandbox({ port: 0 });
try {
  const client = createNhsAppClient({
    environment: { baseUrl: sandbox.baseUrl, tokenUrl: sandbox.tokenUrl },
    apiKey: sandbox.apiKey,
    keyId: sandbox.keyId,
    privateKey: await readFile(sandbox.privateKeyPath, "utf8"),
  });
  const message: InAppCommunicationRequest = inAppMessage({
    nhsNumber: testNhsNumber(1),
    odsCode: "B82041",
    text: "Hello",
  });
  const sent = await client.sendInAppMessage(message);
  check(sent.communicationId.length > 0, "no communication ID");
  const push = await client.sendPushNotification(
    pushNotification({
      nhsNumber: testNhsNumber(2),
      text: "You have a message",
      url: "https://www.nhsapp.service.nhs.uk/patient/",
    }),
  );
  check(push.correlationId.length > 0, "no correlation ID");

  let receipts = 0;
  for await (const _receipt of client.receipts.items("2024-03-01")) receipts++;
  check(receipts > 0, "no receipts in the report");

  const refused = await client
    .sendInAppMessage(inAppMessage({ nhsNumber: "123", odsCode: "B82041", text: "x".repeat(limits.contentString + 1) }))
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  check(refused instanceof ClientValidationError, "an invalid message was not refused before sending");
  check(requestBodyIssues("create-in-app", {}).length > 0, "an empty body passed the contract");

  const received: Receipt[] = [];
  const handler = createCallbackHandler({ onReceipt: (receipt) => void received.push(receipt) });
  const server = createServer(handler.node);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  try {
    for (const example of receiptExamples()) {
      const body: RealtimeReceipt = example.body;
      const response = await fetch(`http://127.0.0.1:${port}${example.path}`, {
        method: example.method,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      check(response.status === 202, `${example.name} was answered ${response.status}`);
    }
  } finally {
    server.close();
  }
  check(received.length === receiptExamples().length, "not every receipt reached onReceipt");

  const cliEnv = {
    NHS_APP_BASE_URL: sandbox.baseUrl,
    NHS_APP_TOKEN_URL: sandbox.tokenUrl,
    NHS_APP_API_KEY: sandbox.apiKey,
    NHS_APP_KEY_ID: sandbox.keyId,
    NHS_APP_PRIVATE_KEY_FILE: sandbox.privateKeyPath,
  };
  const rows = (await nhsApp(["report", "patients", "--ods", "T00001", "--format", "ndjson", "--quiet"], cliEnv))
    .trim()
    .split("\n");
  check(rows.length > 1 && rows.every((row) => JSON.parse(row) !== null), "the CLI read no patient report");
  const sentByCli = await nhsApp(
    ["send", "in-app", "--nhs-number", testNhsNumber(4), "--ods", "B82041", "--text", "Hello", "--json"],
    cliEnv,
  );
  check(
    typeof (JSON.parse(sentByCli) as { communicationId?: unknown }).communicationId === "string",
    "the CLI sent nothing",
  );
  console.log(
    `esm consumer ok: sent 2, read ${receipts} receipts, handled ${received.length} callbacks; the CLI read ${rows.length} patients and sent 1`,
  );
} finally {
  await sandbox.stop();
}
