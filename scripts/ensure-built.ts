// Builds the workspace packages when any of them has no build yet, or one
// older than its sources. The demo, the sandbox, the contract harness and the
// benchmarks import the packages as a consumer would, through their dist/, so
// a fresh clone (where dist/ is not committed) must build before they start.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { toolRoot } from "./lib/documents.ts";
import { pnpmCommand } from "./lib/pnpm.ts";

/** The newest (or oldest) modification time of the files below a path. */
function mtimes(target: string): number[] {
  if (!existsSync(target)) return [];
  const stat = statSync(target);
  if (!stat.isDirectory()) return [stat.mtimeMs];
  return readdirSync(target).flatMap((name) => mtimes(path.join(target, name)));
}

const packagesDir = path.join(toolRoot, "packages");
const stale = readdirSync(packagesDir).filter((name) => {
  const dir = path.join(packagesDir, name);
  const built = mtimes(path.join(dir, "dist"));
  if (built.length === 0) return true;
  const sources = ["src", "package.json", "tsup.config.ts"].flatMap((part) => mtimes(path.join(dir, part)));
  return Math.max(...sources) > Math.min(...built);
});

if (stale.length > 0) {
  console.log(
    `Building the packages first (${stale.join(", ")} ${stale.length === 1 ? "is" : "are"} not built or out of date)...`,
  );
  const { command, args } = pnpmCommand(["-r", "--filter", "./packages/*", "run", "build"]);
  const result = spawnSync(command, args, { cwd: toolRoot, stdio: ["ignore", "ignore", "inherit"] });
  if (result.status !== 0) {
    console.error("The build failed; run `pnpm build` to see why.");
    process.exit(1);
  }
}
