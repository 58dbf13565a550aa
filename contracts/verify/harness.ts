// Runs both halves of the verification against one spec: Prism verification
// of every interaction, and the static pact-versus-spec comparison. The work
// happens in child processes (harness-cli.ts) because Pact's native verifier
// prints a full report to standard output, which would bury the summary; a
// child hands back its results as a JSON file. One child runs many jobs in
// turn, so the cost of starting one is paid once per child, not per spec.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { ComparisonResult } from "./compare-pacts.ts";
import type { InteractionResult } from "./verifier-run.ts";

export interface HarnessJob {
  pactFile: string;
  specPath: string;
  /** Whether to run the Prism half (the default); the static half always runs. */
  prism?: boolean;
}

export interface HarnessResult {
  interactions: InteractionResult[];
  comparison: ComparisonResult;
  passed: boolean;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);

async function runInChild(jobs: HarnessJob[], dir: string, index: number): Promise<HarnessResult[]> {
  const input = path.join(dir, `jobs-${index}.json`);
  const output = path.join(dir, `results-${index}.json`);
  await writeFile(input, JSON.stringify(jobs));
  await run(path.join(here, "../node_modules/.bin/tsx"), [path.join(here, "harness-cli.ts"), input, output], {
    env: { ...process.env, PACT_DO_NOT_TRACK: "true" },
    maxBuffer: 256 * 1024 * 1024,
  }).catch((error: { stderr?: string; message: string }) => {
    throw new Error(`the verification could not run: ${error.stderr || error.message}`);
  });
  return JSON.parse(await readFile(output, "utf8")) as HarnessResult[];
}

/**
 * The harness for each job, results in the order of the jobs. `processes`
 * children share the jobs (each child one job after another): two suit a
 * two-core machine, since the verifier and Prism keep a core busy.
 */
export async function runHarnesses(jobs: HarnessJob[], options: { processes?: number } = {}): Promise<HarnessResult[]> {
  const processes = Math.max(1, Math.min(options.processes ?? 1, jobs.length));
  const dir = await mkdtemp(path.join(tmpdir(), "nhs-app-harness-"));
  try {
    // Job i goes to child i mod n, so slow and quick jobs spread evenly.
    const shares = Array.from({ length: processes }, (_, child) => jobs.filter((_, i) => i % processes === child));
    const answers = await Promise.all(shares.map((share, child) => runInChild(share, dir, child)));
    return jobs.map((_, i) => answers[i % processes]?.[Math.floor(i / processes)] as HarnessResult);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
