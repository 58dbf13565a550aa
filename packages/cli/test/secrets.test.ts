// Secrets read from files and settings never reach the CLI's output, not in
// errors either: a key file that is not a key, a real key the token endpoint
// refuses, and an API key it does not know.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTestKeys, type Sandbox } from "@nhs-app-api/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, isOneErrorLine, runCli } from "./support/cli.ts";
import { sandboxFor } from "./support/sandbox.ts";

let sandbox: Sandbox;
let env: Record<string, string>;
let dir: string;
const send = ["send", "in-app", "--nhs-number", "9434765919", "--ods", "B82041", "--text", "Hi"];

beforeAll(async () => {
  await ensureBuilt();
  ({ sandbox, env } = await sandboxFor());
  dir = await mkdtemp(path.join(tmpdir(), "nhs-app-cli-secrets-"));
});
afterAll(async () => {
  await sandbox?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The base64 lines of a PEM: any one of them in the output would be a leak. */
const pemLines = (pem: string) => pem.split("\n").filter((line) => line.length > 0 && !line.startsWith("-----"));

describe("secrets", () => {
  it("a key file that is not a key: a usage error that quotes none of it", async () => {
    const secret = "c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1uZXZlci1iZS1wcmludGVk";
    const file = path.join(dir, "not-a-key.pem");
    await writeFile(file, `-----BEGIN PRIVATE KEY-----\n${secret}\n-----END PRIVATE KEY-----\n`);
    const run = await runCli(send, { ...env, NHS_APP_PRIVATE_KEY_FILE: file, NHS_APP_API_KEY: "api-key-c0ffee-42" });
    expect(run.code).toBe(2);
    expect(isOneErrorLine(run.stderr)).toBe(true);
    expect(run.stderr).toContain("privateKey");
    expect(run.stdout + run.stderr).not.toContain(secret);
    expect(run.stdout + run.stderr).not.toContain("api-key-c0ffee-42");
  });

  it("a real key the token endpoint refuses, and an unknown API key: the failure is told, no secret is", async () => {
    const keys = createTestKeys("another-kid");
    const file = path.join(dir, "other-key.pem");
    await writeFile(file, keys.privateKeyPem);
    for (const settings of [
      { NHS_APP_PRIVATE_KEY_FILE: file, NHS_APP_KEY_ID: "another-kid" },
      { NHS_APP_API_KEY: "unknown-api-key-5ec7e7" },
    ]) {
      const run = await runCli(send, { ...env, ...settings });
      expect(run.code).toBe(1);
      expect(isOneErrorLine(run.stderr)).toBe(true);
      const output = run.stdout + run.stderr;
      expect(output).not.toContain("unknown-api-key-5ec7e7");
      for (const line of [...pemLines(keys.privateKeyPem), ...pemLines(sandbox.privateKeyPem)]) {
        expect(output).not.toContain(line);
      }
    }
  });

  it("a key given on the command line is not echoed when the client refuses the settings", async () => {
    const run = await runCli([
      ...send,
      "--environment",
      "int",
      "--base-url",
      "http://nhs-app.example/nhs-app",
      "--api-key",
      "cmdline-api-key-9f9f9f",
      "--key-id",
      "kid",
      "--private-key-file",
      sandbox.privateKeyPath,
    ]);
    expect(run.code).toBe(2);
    expect(isOneErrorLine(run.stderr)).toBe(true);
    expect(run.stderr).toContain("must use https");
    expect(run.stderr).not.toContain("cmdline-api-key-9f9f9f");
  });
});
