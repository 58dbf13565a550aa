// `pnpm contracts:smoke`: the read-only smoke path against a real
// environment, through `prism proxy`, which checks the real traffic against
// our spec. It sends no message to anyone: it reads the first page of the
// patient report of T00001. Without credentials it says how to enable it and
// exits 0.

import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { createNhsAppClient, type EnvironmentName, environments } from "@nhs-app-api/client";
import { freePort } from "@nhs-app-api/testing";

const { NHS_APP_API_KEY, NHS_APP_KEY_ID, NHS_APP_PRIVATE_KEY_PATH, NHS_APP_ENVIRONMENT = "int" } = process.env;
if (!NHS_APP_API_KEY || !NHS_APP_KEY_ID || !NHS_APP_PRIVATE_KEY_PATH) {
  console.log(
    "contracts:smoke skipped: set NHS_APP_API_KEY, NHS_APP_KEY_ID, NHS_APP_PRIVATE_KEY_PATH (and NHS_APP_ENVIRONMENT, default int) to run it against a real environment.",
  );
  process.exit(0);
}
const target = environments[NHS_APP_ENVIRONMENT as EnvironmentName];
if (!target) throw new Error(`NHS_APP_ENVIRONMENT must be dev, int or prod, not ${NHS_APP_ENVIRONMENT}`);

const require = createRequire(import.meta.url);
const prismBin = path.join(path.dirname(require.resolve("@stoplight/prism-cli/package.json")), "dist/index.js");
const spec = require.resolve("@nhs-app-api/types/openapi/nhs-app.json");
const port = await freePort();
const prism = spawn(
  process.execPath,
  [prismBin, "proxy", spec, target.baseUrl, "--host", "127.0.0.1", "--port", String(port), "--errors"],
  {
    stdio: ["ignore", "pipe", "inherit"],
  },
);
await new Promise<void>((resolve) =>
  prism.stdout?.on("data", (chunk: Buffer) => chunk.toString().includes("Prism is listening") && resolve()),
);

try {
  const client = createNhsAppClient({
    environment: { baseUrl: `http://127.0.0.1:${port}`, tokenUrl: target.tokenUrl },
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
  prism.kill("SIGTERM");
}
