// `pnpm demo`: the README's main job. Starts the local sandbox on a free
// loopback port, playing the NHS App all the way to the supplier's callback
// endpoint, and runs examples/demo.ts against it as a real integration would
// run (settings in the environment, keys and certificates in files): the
// example hosts its callback endpoint behind mutual TLS, and the sandbox posts
// each message's receipts and the patient's reply there. Test certificates
// come from `nhs-app callbacks certs`. Needs no credentials and no network.
import { execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { isQuietHours, QUIET_HOURS_RULE, quietHoursEnd } from "@nhs-app-api/contract";
import { startSandbox } from "@nhs-app-api/testing";
import { toolRoot } from "./lib/documents.ts";

/** A port on 127.0.0.1 free just now, for the example's callback endpoint (the sandbox must know it first). */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

const dir = await mkdtemp(path.join(tmpdir(), "nhs-app-demo-"));
try {
  const certs = path.join(dir, "certs");
  await promisify(execFile)(process.execPath, [
    path.join(toolRoot, "packages/cli/dist/index.js"),
    "callbacks",
    "certs",
    "--out",
    certs,
    "--days",
    "1",
  ]);
  const pem = (name: string) => path.join(certs, name);
  const callbackPort = await freePort();
  // In the UK's night the platform holds push notifications until 06:00, and so does the sandbox: the demo's
  // sandbox then starts its clock at 06:00, so that the notification receipts come while you watch.
  const now = Date.now();
  const start = isQuietHours(now) ? quietHoursEnd(now) : now;
  if (start !== now) {
    console.log(
      `It is in the push quiet hours (${QUIET_HOURS_RULE}): the sandbox's clock starts at ${new Date(start).toISOString()}.`,
    );
  }
  const sandbox = await startSandbox({
    port: 0,
    clock: { start },
    // Receipts a quarter of a second apart, so that they can be seen arriving; a message that offers a
    // reply is read and answered (with its first keyword), as the sandbox does unless told otherwise.
    delivery: { timing: { stepMs: 250 } },
    callbacks: {
      baseUrl: `https://127.0.0.1:${callbackPort}`,
      tls: {
        cert: await readFile(pem("client-cert.pem"), "utf8"),
        key: await readFile(pem("client-key.pem"), "utf8"),
        ca: await readFile(pem("ca.pem"), "utf8"),
      },
    },
  });
  console.log(`Sandbox started at ${sandbox.baseUrl} (token endpoint ${sandbox.tokenUrl})`);
  console.log(`Its inspector page, while the demo runs: ${sandbox.inspectorUrl}`);
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
          NHS_APP_CALLBACK_PORT: String(callbackPort),
          NHS_APP_CALLBACK_CERT_FILE: pem("server-cert.pem"),
          NHS_APP_CALLBACK_KEY_FILE: pem("server-key.pem"),
          NHS_APP_CALLBACK_CA_FILE: pem("ca.pem"),
        },
      });
      child.on("error", reject);
      child.on("exit", (exitCode) => resolve(exitCode ?? 1));
    });
    const undelivered = sandbox.callbacks?.undelivered ?? [];
    if (undelivered.length > 0) {
      console.log(`The sandbox could not deliver ${undelivered.length} callbacks.`);
      code ||= 1;
    }
  } finally {
    await sandbox.stop();
    console.log("Sandbox stopped.");
  }
  process.exitCode = code;
} finally {
  await rm(dir, { recursive: true, force: true });
}
