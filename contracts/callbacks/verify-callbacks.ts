// Verifies the callbacks pact against our handler, started on a loopback
// port: one run of the verifier, each interaction reported on its own.
// `broken` starts a handler that refuses NotificationAttempted receipts, to
// prove the verification notices a provider that breaks the contract.
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeHandler } from "@nhs-app-api/callbacks";
import { CALLBACK_PROVIDER } from "../provider-states.ts";
import { type InteractionResult, runVerifier } from "../verify/verifier-run.ts";

export async function verifyCallbacks(
  pactFile: string,
  options: { broken?: boolean } = {},
): Promise<InteractionResult[]> {
  const handler = createNodeHandler({
    onReceipt: (receipt) => {
      if (options.broken && receipt.kind === "NotificationAttempted") throw new Error("not supported");
    },
    onReply: () => undefined,
  });
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const pact = JSON.parse(await readFile(pactFile, "utf8")) as { interactions: { description: string }[] };
  try {
    return await runVerifier({
      pactFile,
      provider: CALLBACK_PROVIDER,
      providerBaseUrl: url,
      interactions: pact.interactions,
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}
