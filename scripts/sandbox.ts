// `pnpm sandbox [--port 4010]`: the local sandbox, until Ctrl-C. Other teams
// point their integration at the URLs it prints.
import { parseArgs } from "node:util";
import { startSandbox } from "@nhs-app-api/testing";

const { values } = parseArgs({ options: { port: { type: "string", default: "4010" } } });

try {
  const sandbox = await startSandbox({ port: Number(values.port) });
  console.log(`NHS App API sandbox (127.0.0.1 only)

  base URL        ${sandbox.baseUrl}
  token URL       ${sandbox.tokenUrl}
  API key         ${sandbox.apiKey}
  key ID (kid)    ${sandbox.keyId}
  private key     ${sandbox.privateKeyPath}

Multi-page reports: the patient report of ODS code T00001, and the receipt report of any day.
Press Ctrl-C to stop.`);
  const stop = async () => {
    await sandbox.stop();
    console.log("\nSandbox stopped.");
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
} catch (error) {
  console.error(`sandbox: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
