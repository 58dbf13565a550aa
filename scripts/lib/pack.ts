// The published packages of the workspace, packed as a release packs them
// (`pnpm pack`: workspace ranges become versions), one tarball each, for the
// checks and benchmarks that install them as another team would.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { toolRoot } from "./documents.ts";
import { pnpmCommand } from "./pnpm.ts";

export interface PublishedPackage {
  dir: string;
  manifest: { name: string; version: string; private?: boolean; exports?: unknown; [field: string]: unknown };
  /** Where `packWorkspace` left its tarball. */
  tarball: string;
}

const packagesDir = path.join(toolRoot, "packages");

/** Packs every published package into `destination` in one pnpm run (much quicker than a pack per package). */
export async function packWorkspace(destination: string): Promise<PublishedPackage[]> {
  const pack = pnpmCommand(["-r", "--filter", "./packages/*", "pack", "--pack-destination", destination]);
  await promisify(execFile)(pack.command, pack.args, { cwd: toolRoot, maxBuffer: 16 * 1024 * 1024 });
  return readdirSync(packagesDir)
    .map((dir) => {
      const manifest = JSON.parse(readFileSync(path.join(packagesDir, dir, "package.json"), "utf8"));
      // pnpm names a tarball after the package: @scope/name 1.2.3 is scope-name-1.2.3.tgz.
      const file = `${String(manifest.name).replace(/^@/, "").replace("/", "-")}-${manifest.version}.tgz`;
      return { dir, manifest, tarball: path.join(destination, file) };
    })
    .filter(({ manifest }) => !manifest.private);
}
