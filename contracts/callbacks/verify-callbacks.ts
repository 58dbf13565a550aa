// Verifies the callbacks pact against our handler, started on a loopback
// port: each interaction on its own, so the summary can say which failed.
// `broken` starts a handler that refuses NotificationAttempted receipts, to
// prove the verification notices a provider that breaks the contract.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createNodeHandler } from "@nhs-app-api/callbacks";
import { Verifier } from "@pact-foundation/pact";
import { CALLBACK_PROVIDER } from "../provider-states.ts";
import type { InteractionResult } from "../verify/verify-pacts.ts";

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
  const dir = await mkdtemp(path.join(tmpdir(), "nhs-app-callbacks-"));
  const results: InteractionResult[] = [];
  try {
    for (const [index, interaction] of pact.interactions.entries()) {
      const single = path.join(dir, `interaction-${index}.json`);
      await writeFile(single, JSON.stringify({ ...pact, interactions: [interaction] }));
      try {
        await new Verifier({
          provider: CALLBACK_PROVIDER,
          providerBaseUrl: url,
          pactUrls: [single],
          logLevel: "error",
        }).verifyProvider();
        results.push({ description: interaction.description, state: "", passed: true });
      } catch (error) {
        results.push({
          description: interaction.description,
          state: "",
          passed: false,
          reason: String(error).slice(0, 300),
        });
      }
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  }
  return results;
}
