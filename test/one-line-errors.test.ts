// The repository's own commands fail as a user expects: one clear line on
// stderr and a non-zero exit, never a stack trace or Node's internals, and
// never a secret.
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type RunResult, runTool } from "./helpers.ts";

const smoke = (env: NodeJS.ProcessEnv) =>
  runTool("tsx", ["contracts/smoke.ts"], {
    env: { NHS_APP_API_KEY: "an-api-key", NHS_APP_KEY_ID: "a-key-id", NHS_APP_ENVIRONMENT: "int", ...env },
  });

function expectOneLine(result: RunResult, says: RegExp) {
  expect(result.code).toBe(1);
  const lines = result.stderr.trim().split("\n");
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(says);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toContain("node:internal");
}

describe("pnpm contracts:smoke", () => {
  it("names a private key file it cannot read, in one line", async () => {
    const missing = path.join(tmpdir(), "no-such-key.pem");
    expectOneLine(
      await smoke({ NHS_APP_PRIVATE_KEY_FILE: missing }),
      /cannot read the private key file .*no-such-key\.pem \(ENOENT\)/,
    );
  });

  it("names the environments it knows when given another, in one line", async () => {
    const key = path.join(tmpdir(), `smoke-key-${process.pid}.pem`);
    await writeFile(key, "-----BEGIN PRIVATE KEY-----\nnot really\n-----END PRIVATE KEY-----\n");
    const result = await smoke({ NHS_APP_PRIVATE_KEY_FILE: key, NHS_APP_ENVIRONMENT: "staging" });
    expectOneLine(result, /NHS_APP_ENVIRONMENT must be one of dev, int, prod, not "staging"/);
    expect(`${result.stdout}${result.stderr}`).not.toContain("not really");
    expect(`${result.stdout}${result.stderr}`).not.toContain("an-api-key");
  });
});
