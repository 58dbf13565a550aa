// Two harness runs on one machine must not disturb each other. The part that
// used to fail when two ran at once is the consumer tests: Pact's mock server
// answers before it records the match, and under load the check came first
// (consumer/support.ts waits for the record now). Here two consumer runs start
// together, each with its own pact folder, and both must pass.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));

async function consumerRun() {
  const dir = await mkdtemp(path.join(tmpdir(), "nhs-app-isolation-"));
  const { NHS_APP_TEST_RESULTS_DIR: _results, ...env } = process.env;
  try {
    const outcome = await promisify(execFile)(
      path.join(here, "../node_modules/.bin/vitest"),
      // As pnpm contracts runs them: one module cache for all files, so Pact's native core loads once per run.
      ["run", "--no-isolate", "consumer", "callbacks/consumer"],
      {
        cwd: path.join(here, ".."),
        env: { ...env, PACT_DO_NOT_TRACK: "true", NHS_APP_PACT_OUTPUT_DIR: dir },
        maxBuffer: 32 * 1024 * 1024,
      },
    ).then(
      () => ({ ok: true, output: "" }),
      (error: { stdout?: string; stderr?: string }) => ({
        ok: false,
        output: `${error.stdout ?? ""}${error.stderr ?? ""}`,
      }),
    );
    return { ...outcome, pacts: (await readdir(dir)).sort() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("two harness runs at once", () => {
  it("both pass their consumer tests, each writing its own pacts", async () => {
    const [a, b] = await Promise.all([consumerRun(), consumerRun()]);
    expect(a.ok, a.output.slice(-3000)).toBe(true);
    expect(b.ok, b.output.slice(-3000)).toBe(true);
    expect(a.pacts).toEqual(b.pacts);
    expect(a.pacts.length).toBeGreaterThanOrEqual(3);
  });
});
