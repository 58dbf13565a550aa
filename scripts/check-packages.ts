// Checks that each published package is packaged right: publint (exports,
// files, fields) and Are The Types Wrong (ESM and CJS consumers, old and new
// resolution, get the declarations they should).
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { toolRoot } from "./lib/documents.ts";

const packagesDir = path.join(toolRoot, "packages");
const published = readdirSync(packagesDir).filter((name) => {
  const manifest = JSON.parse(readFileSync(path.join(packagesDir, name, "package.json"), "utf8")) as {
    private?: boolean;
  };
  return !manifest.private;
});

let failed = false;
for (const name of published) {
  const dir = path.join("packages", name);
  for (const [tool, args] of [
    ["publint", [dir, "--strict"]],
    ["attw", ["--pack", dir, "--format", "table-flipped"]],
  ] as const) {
    const result = spawnSync(path.join(toolRoot, "node_modules/.bin", tool), args, { cwd: toolRoot, encoding: "utf8" });
    const ok = result.status === 0;
    console.log(`${ok ? "ok  " : "FAIL"} ${tool} ${dir}`);
    if (!ok) {
      failed = true;
      console.log(`${result.stdout}${result.stderr}`);
    }
  }
}
process.exit(failed ? 1 : 0);
