// `pnpm demo`: the README's main job. Starts the local sandbox on a free
// loopback port, runs examples/demo.ts against it as a real integration would
// run (settings in the environment, the private key in a file), then stops
// the sandbox. Needs no credentials and no network.
import { spawn } from "node:child_process";
import path from "node:path";
import { startSandbox } from "@nhs-app-api/testing";
import { toolRoot } from "./lib/documents.ts";

const sandbox = await startSandbox({ port: 0 });
console.log(`Sandbox started at ${sandbox.baseUrl} (token endpoint ${sandbox.tokenUrl})`);
let code = 1;
try {
  code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(toolRoot, "examples/demo.ts")], {
      cwd: toolRoot,
      stdio: "inherit",
      env: {
        ...process.env,
        NHS_APP_BASE_URL: sandbox.baseUrl,
        NHS_APP_TOKEN_URL: sandbox.tokenUrl,
        NHS_APP_API_KEY: sandbox.apiKey,
        NHS_APP_KEY_ID: sandbox.keyId,
        NHS_APP_PRIVATE_KEY_FILE: sandbox.privateKeyPath,
      },
    });
    child.on("error", reject);
    child.on("exit", (exitCode) => resolve(exitCode ?? 1));
  });
} finally {
  await sandbox.stop();
  console.log("Sandbox stopped.");
}
process.exit(code);
