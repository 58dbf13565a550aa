// `pnpm test`: every check CI runs, stage by stage, stopping at the first
// stage that fails. The summary gives each step's time and the total; the last
// line is "N passed, N failed" for the unit tests, so CI can read it.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { toolRoot } from "./lib/documents.ts";
import { pnpmCommand } from "./lib/pnpm.ts";

/**
 * `--under-load[=N]`, or NHS_APP_TEST_UNDER_LOAD=N: N processes (2 unless
 * said) spin the CPU beside the whole suite, as on a busy machine, so that a
 * test that holds only on an idle one fails here. They are stopped however
 * the suite ends; one whose parent is gone (killed outright) stops itself.
 */
function underLoad(): number {
  const flag = process.argv.slice(2).find((arg) => arg === "--under-load" || arg.startsWith("--under-load="));
  const given = flag?.includes("=") ? flag.slice(flag.indexOf("=") + 1) : process.env.NHS_APP_TEST_UNDER_LOAD;
  if (given === undefined || given === "") return flag === undefined ? 0 : 2;
  const count = Number(given);
  if (!Number.isInteger(count) || count < 0 || count > 64) {
    console.error(`pnpm test: the load must be a whole number of processes from 0 to 64, not "${given}"`);
    process.exit(2);
  }
  return count;
}
const SPIN = "const parent = process.ppid; for (let i = 1; ; i++) if (i % 1e7 === 0 && process.ppid !== parent) break;";
const load: ChildProcess[] = Array.from({ length: underLoad() }, () =>
  spawn(process.execPath, ["-e", SPIN], { stdio: "ignore" }),
);
if (load.length > 0) {
  process.on("exit", () => {
    for (const spinner of load) spinner.kill("SIGKILL");
  });
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const) {
    process.on(signal, () => process.exit(code));
  }
  console.log(
    `Under load: ${load.length} CPU-bound processes (node, spinning in a loop) run beside the suite until it ends.`,
  );
}

const bin = (name: string) => path.join(toolRoot, "node_modules/.bin", name);
const resultsDir = mkdtempSync(path.join(tmpdir(), "nhs-app-test-"));
const env = {
  ...process.env,
  REDOCLY_TELEMETRY: "off",
  PACT_DO_NOT_TRACK: "true",
  NHS_APP_TEST_RESULTS_DIR: resultsDir,
};

interface Step {
  name: string;
  command: string;
  args: string[];
}

const vitestJson = path.join(resultsDir, "vitest.json");

// Stages run one after the other; the steps of a stage at the same time (each
// is independent of the others), their output printed whole when each ends.
// The build needs nothing the static checks make, so it runs beside them;
// everything after the build reads the built packages and nothing else of
// each other's, so it all runs side by side, which keeps both cores busy
// while one step waits on its child processes.
const stages: Step[][] = [
  [
    { name: "format and lint (biome)", command: bin("biome"), args: ["ci", "."] },
    // Reads every pending changeset: a malformed one would otherwise surface only at release time.
    { name: "changesets are readable", command: bin("changeset"), args: ["status"] },
    { name: "spec lint (redocly)", command: bin("redocly"), args: ["lint", "--config", "spec/redocly.yaml"] },
    { name: "generated output is up to date", command: bin("tsx"), args: ["scripts/generate.ts", "--check"] },
    { name: "build packages", ...pnpmCommand(["-r", "--filter", "./packages/*", "run", "build"]) },
  ],
  [
    {
      name: "unit tests (vitest)",
      command: bin("vitest"),
      args: ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${vitestJson}`],
    },
    {
      name: "contracts (pact, Prism verification, comparison, mutations)",
      command: bin("tsx"),
      args: ["contracts/run.ts"],
    },
    {
      name: "package checks (publint, attw, npm install and run, publish dry run)",
      command: bin("tsx"),
      args: ["scripts/check-packages.ts"],
    },
    { name: "packages load with require and import", command: bin("tsx"), args: ["scripts/check-runtime.ts"] },
    { name: "typecheck", command: bin("tsc"), args: ["-p", "tsconfig.json"] },
  ],
];

/** Runs one step, its output live (alone in its stage) or kept for the end, and reports how it went. */
function run(step: Step, live: boolean): Promise<{ step: Step; ok: boolean; seconds: string; output: string }> {
  const started = Date.now();
  if (live) console.log(`\n▶ ${step.name}`);
  return new Promise((resolve) => {
    const child = spawn(step.command, step.args, {
      cwd: toolRoot,
      env,
      stdio: live ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("close", (code) =>
      resolve({ step, ok: code === 0, seconds: ((Date.now() - started) / 1000).toFixed(1), output }),
    );
  });
}

const timings: string[] = [];
const suiteStarted = Date.now();
let failed: string | undefined;
for (const stage of stages) {
  const results = await Promise.all(
    stage.map((step) =>
      run(step, stage.length === 1).then((result) => {
        if (stage.length > 1) console.log(`\n▶ ${step.name} (${result.seconds}s)\n${result.output.trimEnd()}`);
        return result;
      }),
    ),
  );
  for (const { step, ok, seconds } of results) timings.push(`  ${ok ? "ok  " : "FAIL"} ${step.name} (${seconds}s)`);
  failed = results.find((result) => !result.ok)?.step.name;
  if (failed) break;
}

const total = ((Date.now() - suiteStarted) / 1000).toFixed(1);
const loaded = load.length > 0 ? ` (under load: ${load.length} CPU-bound processes beside the suite)` : "";
console.log(`\nSummary${loaded}:\n${timings.join("\n")}\n  total ${total}s`);
// Checks that could not run here (a fork has no published files), each with its reason.
const skippedFile = path.join(resultsDir, "skipped.txt");
const skipped = existsSync(skippedFile)
  ? [...new Set(readFileSync(skippedFile, "utf8").split("\n").filter(Boolean))]
  : [];
if (skipped.length > 0) console.log(`\nSkipped:\n${skipped.map((line) => `  ${line}`).join("\n")}`);
// Every vitest run (unit tests and the contract suites) leaves a JSON report in resultsDir.
let passed = 0;
let failedTests = 0;
for (const file of readdirSync(resultsDir).filter((name) => name.endsWith(".json"))) {
  const report = JSON.parse(readFileSync(path.join(resultsDir, file), "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
  };
  passed += report.numPassedTests;
  failedTests += report.numFailedTests;
}
rmSync(resultsDir, { recursive: true, force: true });
if (failed) console.error(`\nStopped: "${failed}" failed.`);
console.log(`${passed} passed, ${failedTests + (failed ? 1 : 0)} failed`);
process.exit(failed ? 1 : 0);
