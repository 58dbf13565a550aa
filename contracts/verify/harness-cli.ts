// The child process of runHarness: verifies, compares, writes the result.
import { writeFile } from "node:fs/promises";
import { comparePactWithSpec } from "./compare-pacts.ts";
import { verifyPacts } from "./verify-pacts.ts";

const [pactFile, specPath, output] = process.argv.slice(2) as [string, string, string];
const [interactions, comparison] = await Promise.all([
  verifyPacts({ pactFile, specPath }),
  comparePactWithSpec({ pactFile, specPath }),
]);
const passed = comparison.success && interactions.every((i) => i.passed);
await writeFile(output, JSON.stringify({ interactions, comparison, passed }));
