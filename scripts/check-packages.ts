// Checks that each published package is packaged right: publint (exports,
// files, fields) and Are The Types Wrong (ESM and CJS consumers, old and new
// resolution, get the declarations they should). Both read the tarball pnpm
// packs, which is what a release publishes (workspace: ranges replaced by
// versions); packing every package in one pnpm run is also much quicker
// than letting each tool pack on its own.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { toolRoot } from "./lib/documents.ts";
import { pnpmCommand } from "./lib/pnpm.ts";

const run = promisify(execFile);
const packagesDir = path.join(toolRoot, "packages");
const published = readdirSync(packagesDir)
  .map((dir) => ({
    dir,
    manifest: JSON.parse(readFileSync(path.join(packagesDir, dir, "package.json"), "utf8")) as {
      name: string;
      version: string;
      private?: boolean;
    },
  }))
  .filter(({ manifest }) => !manifest.private);

const tarballs = mkdtempSync(path.join(tmpdir(), "nhs-app-pack-"));
process.on("exit", () => rmSync(tarballs, { recursive: true, force: true }));
const pack = pnpmCommand(["-r", "--filter", "./packages/*", "pack", "--pack-destination", tarballs]);
await run(pack.command, pack.args, { cwd: toolRoot, maxBuffer: 16 * 1024 * 1024 }).catch(
  (error: { stdout?: string; stderr?: string }) => {
    console.log(`FAIL pnpm pack\n${error.stdout ?? ""}${error.stderr ?? ""}`);
    process.exit(1);
  },
);

/** One tool on one tarball: a line saying how it went, and the tool's output when it did not. */
async function check(tool: "publint" | "attw", args: string[], label: string): Promise<boolean> {
  const ok = await run(path.join(toolRoot, "node_modules/.bin", tool), args, { cwd: toolRoot }).then(
    () => undefined,
    (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ""}${error.stderr ?? ""}`,
  );
  console.log(`${ok === undefined ? "ok  " : "FAIL"} ${tool} ${label}${ok === undefined ? "" : `\n${ok}`}`);
  return ok === undefined;
}

let failed = false;
for (const { dir, manifest } of published) {
  // pnpm names a tarball after the package: @scope/name 1.2.3 is scope-name-1.2.3.tgz.
  const tarball = path.join(tarballs, `${manifest.name.replace(/^@/, "").replace("/", "-")}-${manifest.version}.tgz`);
  const label = `packages/${dir}`;
  const results = await Promise.all([
    check("publint", ["run", tarball, "--strict"], label),
    check("attw", [tarball, "--format", "table-flipped"], label),
  ]);
  if (results.includes(false)) failed = true;
}
process.exit(failed ? 1 : 0);
