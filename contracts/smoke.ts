// `pnpm contracts:smoke`: the read-only smoke path against a real
// environment, through `prism proxy`, which checks the real traffic against
// our spec. It sends no message to anyone: it reads the first page of the
// patient report of T00001. Without credentials it says how to enable it and
// exits 0. Any failure is one line on stderr and exit code 1, never a stack
// trace, and never a secret.

import { readFile } from "node:fs/promises";
import { createNhsAppClient, type EnvironmentName, environments } from "@nhs-app-api/client";
import { startPrism } from "@nhs-app-api/testing";

/** One line, then exit 1. */
function fail(message: string): never {
  console.error(`contracts:smoke: ${message}`);
  process.exit(1);
}

/** The first line of an error's message: enough to act on, without Node's internals. */
const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";

const { NHS_APP_API_KEY, NHS_APP_KEY_ID, NHS_APP_ENVIRONMENT = "int" } = process.env;
// NHS_APP_PRIVATE_KEY_FILE as the CLI names it; NHS_APP_PRIVATE_KEY_PATH, its older name, still works.
const keyFile = process.env.NHS_APP_PRIVATE_KEY_FILE ?? process.env.NHS_APP_PRIVATE_KEY_PATH;
if (!NHS_APP_API_KEY || !NHS_APP_KEY_ID || !keyFile) {
  console.log(
    "contracts:smoke skipped: set NHS_APP_API_KEY, NHS_APP_KEY_ID, NHS_APP_PRIVATE_KEY_FILE (and NHS_APP_ENVIRONMENT, default int) to run it against a real environment.",
  );
  process.exit(0);
}
const names = Object.keys(environments);
const target = names.includes(NHS_APP_ENVIRONMENT) ? environments[NHS_APP_ENVIRONMENT as EnvironmentName] : undefined;
if (!target) fail(`NHS_APP_ENVIRONMENT must be one of ${names.join(", ")}, not "${NHS_APP_ENVIRONMENT}"`);

const privateKey = await readFile(keyFile, "utf8").catch((error: NodeJS.ErrnoException) =>
  fail(`cannot read the private key file ${keyFile} (${error.code ?? firstLine(error)})`),
);
const prism = await startPrism({ proxyTo: target.baseUrl, errors: true }).catch((error: unknown) =>
  fail(firstLine(error)),
);

try {
  const client = createNhsAppClient({
    environment: { baseUrl: prism.url, tokenUrl: target.tokenUrl },
    apiKey: NHS_APP_API_KEY,
    keyId: NHS_APP_KEY_ID,
    privateKey,
    hooks: { onResponse: (info) => console.log(`  ${info.operation} -> ${info.status} (${info.durationMs} ms)`) },
  });
  const page = await client.getPatientReport({ odsCode: "T00001" });
  console.log(
    `contracts:smoke: ${page.items.length} patients on page 1 of ${page.lastPage ?? "?"}; the traffic matched the spec.`,
  );
} catch (error) {
  // The client's errors name the operation, status and correlation ID, and never a token or key.
  await prism.stop();
  fail(firstLine(error));
}
await prism.stop();
