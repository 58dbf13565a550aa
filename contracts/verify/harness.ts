// Runs both halves of the verification against one spec: Prism verification
// of every interaction, and the static pact-versus-spec comparison. The work
// happens in a child process (harness-cli.ts) because Pact's native verifier
// prints a full report to standard output, which would bury the summary; the
// child hands back its result as a JSON file.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { ComparisonResult } from "./compare-pacts.ts";
import type { InteractionResult } from "./verify-pacts.ts";

export interface HarnessResult {
  interactions: InteractionResult[];
  comparison: ComparisonResult;
  passed: boolean;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);

export async function runHarness(options: { pactFile: string; specPath: string }): Promise<HarnessResult> {
  const dir = await mkdtemp(path.join(tmpdir(), "nhs-app-harness-"));
  const output = path.join(dir, "result.json");
  try {
    await run(
      path.join(here, "../node_modules/.bin/tsx"),
      [path.join(here, "harness-cli.ts"), options.pactFile, options.specPath, output],
      { env: { ...process.env, PACT_DO_NOT_TRACK: "true" }, maxBuffer: 64 * 1024 * 1024 },
    ).catch((error: { stderr?: string; message: string }) => {
      throw new Error(`the verification could not run: ${error.stderr || error.message}`);
    });
    return JSON.parse(await readFile(output, "utf8")) as HarnessResult;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
