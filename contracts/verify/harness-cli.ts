// The child process of runHarnesses: reads a list of jobs (a pact and a spec
// each), verifies and compares each in turn, and writes the results in the
// same order.
import { readFile, writeFile } from "node:fs/promises";
import { comparePactWithSpec } from "./compare-pacts.ts";
import type { HarnessJob, HarnessResult } from "./harness.ts";
import { verifyPacts } from "./verify-pacts.ts";

const [jobsFile, output] = process.argv.slice(2) as [string, string];
const jobs = JSON.parse(await readFile(jobsFile, "utf8")) as HarnessJob[];
const results: HarnessResult[] = [];
for (const job of jobs) {
  const [interactions, comparison] = await Promise.all([
    job.prism === false ? [] : verifyPacts(job),
    comparePactWithSpec(job),
  ]);
  results.push({ interactions, comparison, passed: comparison.success && interactions.every((i) => i.passed) });
}
await writeFile(output, JSON.stringify(results));
