// `pnpm contracts:smoke`: the read-only smoke path against a real
// environment, through `prism proxy`, which checks the real traffic against
// our spec. It sends no message to anyone: it reads the first page of the
// patient report of T00001. Without credentials it says how to enable it and
// exits 0.

import { readFile } from "node:fs/promises";
import { createNhsAppClient, type EnvironmentName, environments } from "@nhs-app-api/client";
import { startPrism } from "@nhs-app-api/testing";

const { NHS_APP_API_KEY, NHS_APP_KEY_ID, NHS_APP_PRIVATE_KEY_PATH, NHS_APP_ENVIRONMENT = "int" } = process.env;
if (!NHS_APP_API_KEY || !NHS_APP_KEY_ID || !NHS_APP_PRIVATE_KEY_PATH) {
  console.log(
    "contracts:smoke skipped: set NHS_APP_API_KEY, NHS_APP_KEY_ID, NHS_APP_PRIVATE_KEY_PATH (and NHS_APP_ENVIRONMENT, default int) to run it against a real environment.",
  );
  process.exit(0);
}
const target = environments[NHS_APP_ENVIRONMENT as EnvironmentName];
if (!target) throw new Error(`NHS_APP_ENVIRONMENT must be dev, int or prod, not ${NHS_APP_ENVIRONMENT}`);

const prism = await startPrism({ proxyTo: target.baseUrl, errors: true });

try {
  const client = createNhsAppClient({
    environment: { baseUrl: prism.url, tokenUrl: target.tokenUrl },
    apiKey: NHS_APP_API_KEY,
    keyId: NHS_APP_KEY_ID,
    privateKey: await readFile(NHS_APP_PRIVATE_KEY_PATH, "utf8"),
    hooks: { onResponse: (info) => console.log(`  ${info.operation} -> ${info.status} (${info.durationMs} ms)`) },
  });
  const page = await client.getPatientReport({ odsCode: "T00001" });
  console.log(
    `contracts:smoke: ${page.items.length} patients on page 1 of ${page.lastPage ?? "?"}; the traffic matched the spec.`,
  );
} finally {
  await prism.stop();
}
