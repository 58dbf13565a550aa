// Checks that each published package is packaged right: publint (exports,
// files, fields), Are The Types Wrong (ESM and CJS consumers, old and new
// resolution, get the declarations they should), the fields a registry page
// and a licence scan need, and then a release as another team meets it: the
// tarballs installed with plain npm outside the workspace and used from an
// ES module and a CommonJS project, and by an application tracing with the
// current OpenTelemetry SDK (lib/npm-consumers.ts). All of it reads
// the tarballs pnpm packs, which is what a release publishes (workspace:
// ranges replaced by versions); packing every package in one pnpm run is
// also much quicker than letting each tool pack on its own.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { toolRoot } from "./lib/documents.ts";
import { checkNpmConsumers } from "./lib/npm-consumers.ts";
import { packWorkspace } from "./lib/pack.ts";
import { pnpmCommand } from "./lib/pnpm.ts";

const run = promisify(execFile);
const packagesDir = path.join(toolRoot, "packages");

const tarballs = mkdtempSync(path.join(tmpdir(), "nhs-app-pack-"));
process.on("exit", () => rmSync(tarballs, { recursive: true, force: true }));
const published = await packWorkspace(tarballs).catch((error: { stdout?: string; stderr?: string }) => {
  console.log(`FAIL pnpm pack\n${error.stdout ?? ""}${error.stderr ?? ""}`);
  process.exit(1);
});

/** One tool on one tarball: a line saying how it went, and the tool's output when it did not. */
async function check(tool: "publint" | "attw", args: string[], label: string): Promise<boolean> {
  const ok = await run(path.join(toolRoot, "node_modules/.bin", tool), args, { cwd: toolRoot }).then(
    () => undefined,
    (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ""}${error.stderr ?? ""}`,
  );
  console.log(`${ok === undefined ? "ok  " : "FAIL"} ${tool} ${label}${ok === undefined ? "" : `\n${ok}`}`);
  return ok === undefined;
}

const rootManifest = JSON.parse(readFileSync(path.join(toolRoot, "package.json"), "utf8")) as {
  repository: { url: string };
};
const licence = readFileSync(path.join(toolRoot, "LICENSE"), "utf8");

/** What a registry page, a licence scan and `npm bugs` read; the repository is the root's, with the package's folder. */
function metadataProblems(dir: string, manifest: (typeof published)[number]["manifest"]): string[] {
  const problems: string[] = [];
  for (const field of ["description", "keywords", "license", "homepage", "bugs", "files", "sideEffects", "engines"]) {
    if (manifest[field] === undefined) problems.push(`no "${field}"`);
  }
  const repository = manifest.repository as { url?: string; directory?: string } | undefined;
  if (repository?.url !== rootManifest.repository.url) problems.push(`"repository.url" is not the root's`);
  if (repository?.directory !== `packages/${dir}`) problems.push(`"repository.directory" is not packages/${dir}`);
  if (manifest.license !== "MIT") problems.push(`"license" is not MIT`);
  if (readFileSync(path.join(packagesDir, dir, "LICENSE"), { encoding: "utf8", flag: "r" }) !== licence) {
    problems.push("LICENSE differs from the root's");
  }
  return problems;
}

let failed = false;
const tarballOf: Record<string, string> = {};
for (const { dir, manifest, tarball } of published) {
  tarballOf[manifest.name] = tarball;
  const label = `packages/${dir}`;
  const problems = metadataProblems(dir, manifest);
  console.log(`${problems.length === 0 ? "ok  " : "FAIL"} package.json and LICENSE ${label}`);
  for (const problem of problems) console.log(`       ${problem}`);
  const results = await Promise.all([
    check("publint", ["run", tarball, "--strict"], label),
    // attw reads declarations; a package with only a bin (the CLI) has none to read.
    manifest.exports === undefined
      ? Promise.resolve(true)
      : check("attw", [tarball, "--format", "table-flipped"], label),
  ]);
  if (problems.length > 0 || results.includes(false)) failed = true;
}

for (const step of await checkNpmConsumers(tarballOf)) {
  console.log(`${step.ok ? "ok  " : "FAIL"} ${step.name}`);
  if (!step.ok) {
    failed = true;
    console.log(step.output);
  } else if (step.output && /^(run|nhs-app|one )/.test(step.name)) console.log(`       ${step.output}`);
}
// What a release runs, less the upload (and less the clean-tree check, which a working copy under test fails).
const publish = pnpmCommand(["publish", "-r", "--dry-run", "--no-git-checks"]);
const dryRun = await run(publish.command, publish.args, { cwd: toolRoot, maxBuffer: 16 * 1024 * 1024 }).then(
  () => undefined,
  (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ""}${error.stderr ?? ""}`,
);
console.log(`${dryRun === undefined ? "ok  " : "FAIL"} pnpm publish -r --dry-run`);
if (dryRun !== undefined) {
  failed = true;
  console.log(dryRun);
}
process.exit(failed ? 1 : 0);
