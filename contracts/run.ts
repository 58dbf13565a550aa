// `pnpm contracts`: the consumer tests (which write pacts/), then the
// verification of every interaction against a Prism mock of the bundled spec,
// then the static pact-versus-spec comparison, then the proof that the
// harness fails on a broken spec. Prints a short table; exits non-zero on any
// failure. In CI it also fails when the pact changed but was not committed.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { documents, repoRoot } from "../scripts/lib/documents.ts";
import { ensureBuilt } from "../scripts/lib/ensure-built.ts";
import { runCallbackVerification } from "./callbacks/run-verification.ts";
import { type HarnessJob, type HarnessResult, runHarnesses } from "./verify/harness.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const pactsDir = path.join(here, "pacts");

// `--against <location> [--departures <file>] [--junit <file>] [--json]`: the committed pacts against another
// version of the contract, by the check other teams run (`nhs-app contracts`), from its sources: nothing is built.
const cli = new Command()
  .name("contracts")
  .description("Check that @nhs-app-api/client and the callbacks keep the contract.")
  .option(
    "--against <location>",
    "check the committed pacts against this contract (a folder laid out as NHS England's repository, a file or a URL) instead of spec/",
  )
  .option("--departures <file>", "the departures to allow with --against", path.join(repoRoot, "spec/departures.yaml"))
  .option("--junit <file>", "with --against: also write the result as JUnit XML")
  .option("--json", "with --against: print the result as JSON")
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });
let options: { against?: string; departures: string; junit?: string; json?: boolean };
try {
  options = cli.parse().opts();
} catch (error) {
  process.exit(error instanceof CommanderError && error.exitCode === 0 ? 0 : 2);
}
if (options.against) {
  const check = await import("../packages/contract-check/src/index.ts");
  const { loadOpenApi } = await import("../packages/contract-check/src/load.ts");
  try {
    const result = await check.checkContract({
      against: options.against,
      departures: options.departures,
      pactsDir,
      // spec/ as it stands, whether or not `pnpm generate` ran since it was edited.
      ours: (alias) => loadOpenApi(path.join(repoRoot, documents.find((d) => d.alias === alias)?.source ?? "")),
    });
    if (options.junit) writeFileSync(options.junit, check.toJUnit(result));
    console.log(options.json ? JSON.stringify(result, null, 2) : check.formatCheck(result));
    process.exit(result.kept ? 0 : 1);
  } catch (error) {
    console.error(`contracts: ${error instanceof check.ContractInputError ? error.message : String(error)}`);
    process.exit(2);
  }
}
// The harness drives the built client, callbacks and testing packages: those, and what they need, are built first.
await ensureBuilt(["@nhs-app-api/client", "@nhs-app-api/callbacks", "@nhs-app-api/testing"]);
/**
 * spec/ as it stands, bundled now: an edit to a spec file is what this run
 * checks, whether or not `pnpm generate` ran since (the client under test is
 * the one built from the sources).
 */
async function bundleSpecs(aliases: string[]): Promise<Map<string, string>> {
  const docs = aliases.map((alias) => {
    const doc = documents.find((d) => d.alias === alias);
    if (!doc) throw new Error(`no spec document ${alias}`);
    return doc;
  });
  const files = new Map<string, string>();
  const { bundleDocuments } = await import("../scripts/lib/bundle.ts");
  try {
    for (const [alias, bundle] of await bundleDocuments(docs)) {
      const file = path.join(scratch, `${alias}.json`);
      writeFileSync(file, JSON.stringify(bundle));
      files.set(alias, file);
    }
  } catch (error) {
    console.error(
      `\ncontracts: spec/ cannot be bundled, so there is no contract to check:\n${(error as Error).message}`,
    );
    process.exit(1);
  }
  return files;
}
const scratch = mkdtempSync(path.join(tmpdir(), "nhs-app-contracts-"));
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));
const vitest = path.join(here, "node_modules/.bin/vitest");
// The consumer tests write fresh pacts here (so no interaction from an older run lingers).
const freshPacts = mkdtempSync(path.join(tmpdir(), "nhs-app-pacts-"));
const env = { ...process.env, PACT_DO_NOT_TRACK: "true", NHS_APP_PACT_OUTPUT_DIR: freshPacts };

function step(title: string, args: string[]) {
  console.log(`\n▶ ${title}`);
  // Under `pnpm test`, each suite also leaves a JSON report for the overall count.
  const results = process.env.NHS_APP_TEST_RESULTS_DIR;
  const reporters = results
    ? [
        "--reporter=default",
        "--reporter=json",
        `--outputFile.json=${path.join(results, `contracts-${args.join("-").replace(/\W+/g, "-")}.json`)}`,
      ]
    : [];
  const result = spawnSync(vitest, ["run", ...args, ...reporters], { cwd: here, env, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`\ncontracts: ${title} failed`);
    rmSync(freshPacts, { recursive: true, force: true });
    process.exit(1);
  }
}

// 1. Consumer tests, into the scratch folder; only when they all pass do the pacts replace contracts/pacts.
// One module cache for all consumer files (--no-isolate): loading Pact's native core once instead of per file
// saves most of this step's time, and each file still makes its own Pact with its own interactions.
step("consumer tests (the client against the Pact mock server; the NHS App's calls to the callbacks)", [
  "--no-isolate",
  "consumer",
  "callbacks/consumer",
]);
// Each pact replaces the committed one in one step (a rename), so another run reading pacts/ never sees half a file.
const fresh = readdirSync(freshPacts);
for (const file of readdirSync(pactsDir)) {
  if (file.endsWith(".json") && !fresh.includes(file)) rmSync(path.join(pactsDir, file));
}
for (const file of fresh) {
  const staging = path.join(pactsDir, `.${file}.${process.pid}.tmp`);
  copyFileSync(path.join(freshPacts, file), staging);
  renameSync(staging, path.join(pactsDir, file));
}
rmSync(freshPacts, { recursive: true, force: true });
/** Each pact of the client, and the spec document its provider is described by. */
const CLIENT_PACTS = [
  { file: "nhs-app-api-client-nhs-app-api.json", alias: "nhs-app" },
  { file: "nhs-app-api-client-platform-token-endpoint.json", alias: "oauth-token" },
];

// 2 and 3. Verification with Prism and the static comparison, summarised.
console.log("\n▶ verification against spec/ as it stands (bundled now)");
let failed = false;
const specs = await bundleSpecs(CLIENT_PACTS.map((pact) => pact.alias));
const jobs: HarnessJob[] = CLIENT_PACTS.map(({ file, alias }) => ({
  pactFile: path.join(pactsDir, file),
  specPath: specs.get(alias) as string,
}));
const harnessResults = await runHarnesses(jobs);
for (const [index, { file }] of CLIENT_PACTS.entries()) {
  const result = harnessResults[index] as HarnessResult;
  const verified = result.interactions.filter((i) => i.passed).length;
  const failures = result.interactions.filter((i) => !i.passed);
  console.log(`\n  ${file}`);
  console.log(`  ${"interactions".padEnd(14)}${"verified".padEnd(10)}${"failed".padEnd(8)}static comparison`);
  console.log(
    `  ${String(result.interactions.length).padEnd(14)}${String(verified).padEnd(10)}${String(failures.length).padEnd(8)}${
      result.comparison.success ? "compatible" : `${result.comparison.errors.length} faults`
    }`,
  );
  for (const failure of failures) console.log(`    FAILED: ${failure.description}: ${failure.reason}`);
  for (const error of result.comparison.errors) console.log(`    INCOMPATIBLE: ${error}`);
  if (!result.passed) failed = true;
}
// The callbacks pact, verified against our handler as the provider.
const callbacks = await runCallbackVerification();
const callbackFailures = callbacks.filter((r) => !r.passed);
console.log("\n  nhs-app-supplier-callbacks.json (provider: @nhs-app-api/callbacks' handler)");
console.log(`  ${"interactions".padEnd(14)}${"verified".padEnd(10)}failed`);
console.log(
  `  ${String(callbacks.length).padEnd(14)}${String(callbacks.length - callbackFailures.length).padEnd(10)}${callbackFailures.length}`,
);
for (const failure of callbackFailures) console.log(`    FAILED: ${failure.description}: ${failure.reason}`);
if (callbackFailures.length > 0) failed = true;

if (failed) {
  console.error("\ncontracts: a pact and its provider disagree");
  process.exit(1);
}

// 4. The harness must bite: each deliberate breaking change to a copy of the spec fails it.
step("the harness fails on broken copies of the spec, and on a broken callback handler", [
  "verify",
  "callbacks/provider",
]);

// A pact that changed must be committed, so reviewers see the contract change in the diff.
if (process.env.CI) {
  try {
    execFileSync("git", ["diff", "--exit-code", "--stat", "--", "pacts"], { cwd: here, stdio: "inherit" });
  } catch {
    console.error("\ncontracts: contracts/pacts changed; run `pnpm contracts` and commit contracts/pacts");
    process.exit(1);
  }
}
console.log("\ncontracts: all interactions verified, the comparison is clean, and the harness bites.");
