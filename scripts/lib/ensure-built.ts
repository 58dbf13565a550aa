// Builds workspace packages that have no build yet, or one older than their
// sources. The demo, the sandbox, the contract harness and the benchmarks
// import the packages as a consumer would, through their dist/, so a fresh
// clone (where dist/ is not committed) must build before they start; each
// asks only for the packages it uses (their workspace dependencies come too).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { toolRoot } from "./documents.ts";
import { pnpmCommand } from "./pnpm.ts";

/** The newest (or oldest) modification time of the files below a path. */
function mtimes(target: string): number[] {
  if (!existsSync(target)) return [];
  const stat = statSync(target);
  if (!stat.isDirectory()) return [stat.mtimeMs];
  return readdirSync(target).flatMap((name) => mtimes(path.join(target, name)));
}

const packagesDir = path.join(toolRoot, "packages");

/** Files outside a package's folder that its build copies in (see its tsup.config.ts). */
const COPIED_IN: Record<string, string[]> = {
  "contract-check": ["contracts/pacts", "spec/departures.yaml"],
};

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
}
const manifestOf = (dir: string) =>
  JSON.parse(readFileSync(path.join(packagesDir, dir, "package.json"), "utf8")) as Manifest;

/** The package folders `names` need: the packages themselves and, through their dependencies, every workspace package below them. */
function withDependencies(names: readonly string[]): string[] {
  const byName = new Map(readdirSync(packagesDir).map((dir) => [manifestOf(dir).name, dir]));
  const needed = new Set<string>();
  const visit = (name: string) => {
    const dir = byName.get(name);
    if (!dir || needed.has(dir)) return;
    needed.add(dir);
    for (const dependency of Object.keys(manifestOf(dir).dependencies ?? {})) visit(dependency);
  };
  for (const name of names) visit(name);
  return [...needed];
}

/** Packages with no build yet, or a build older than their sources. */
const stalePackages = (dirs: readonly string[]) =>
  dirs.filter((name) => {
    const dir = path.join(packagesDir, name);
    const built = mtimes(path.join(dir, "dist"));
    if (built.length === 0) return true;
    const sources = [
      ...["src", "package.json", "tsup.config.ts"].flatMap((part) => mtimes(path.join(dir, part))),
      ...(COPIED_IN[name] ?? []).flatMap((part) => mtimes(path.join(toolRoot, part))),
    ];
    return Math.max(...sources) > Math.min(...built);
  });

/**
 * Two runs started together on one clone (two `pnpm contracts`, say) must not
 * build into the same dist/ at once: one holds this lock while it checks and
 * builds, the other waits, then finds the build done. A lock whose owner has
 * died is taken over.
 */
const lock = path.join(toolRoot, "node_modules", ".nhs-app-build.lock");
const ownerAlive = () => {
  try {
    process.kill(Number(readFileSync(path.join(lock, "pid"), "utf8")), 0);
    return true;
  } catch {
    return false;
  }
};
/**
 * Builds the packages named (by package name, with the workspace packages
 * they depend on), or all of them, where they are not built or out of date.
 * Exits the process, naming the package and its first errors, when a build fails.
 */
export async function ensureBuilt(names?: readonly string[]): Promise<void> {
  for (let waited = 0; ; waited += 250) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, "pid"), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      // A lock just made may not hold its pid yet: only a lock older than a few seconds is judged by its owner.
      if (Date.now() - statSync(lock).mtimeMs > 5_000 && !ownerAlive()) rmSync(lock, { recursive: true, force: true });
      if (waited === 0) console.log("Waiting for another run that is building the packages...");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    const stale = stalePackages(names ? withDependencies(names) : readdirSync(packagesDir));
    if (stale.length === 0) return;
    console.log(
      `Building the packages first (${stale.join(", ")} ${stale.length === 1 ? "is" : "are"} not built or out of date)...`,
    );
    // Only the stale ones: pnpm builds them in dependency order.
    const filters = stale.flatMap((dir) => ["--filter", `./packages/${dir}`]);
    const { command, args } = pnpmCommand(["-r", ...filters, "run", "build"]);
    const result = spawnSync(command, args, { cwd: toolRoot, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) {
      console.error(buildFailure(`${result.stdout}\n${result.stderr}`));
      rmSync(lock, { recursive: true, force: true });
      process.exit(1);
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Which package failed to build, and its first compiler errors as
 * `file:line message` (paths from the repository root), read from pnpm's
 * output, whose lines start with the package's folder.
 */
function buildFailure(output: string): string {
  const lines = output.split("\n");
  const failed = new Set<string>();
  const errors: string[] = [];
  for (const line of lines) {
    const prefixed = /^(packages\/[\w-]+) build: (.*)$/.exec(line);
    const typeError = prefixed && /^(\S+?)\((\d+),(\d+)\): error (TS\d+: .*)$/.exec(prefixed[2] ?? "");
    if (prefixed && typeError) {
      failed.add(prefixed[1] as string);
      errors.push(`${prefixed[1]}/${typeError[1]}:${typeError[2]} ${typeError[4]}`);
    }
    // esbuild's errors: "✘ [ERROR] message" then "    src/file.ts:12:3:" a line or two later.
    const esbuild = prefixed && /✘ \[ERROR\] (.*)$/.exec(prefixed[2] ?? "");
    if (prefixed && esbuild) {
      failed.add(prefixed[1] as string);
      const at = lines
        .slice(lines.indexOf(line) + 1, lines.indexOf(line) + 4)
        .map((next) => /(\S+\.[cm]?[jt]sx?):(\d+):\d+:/.exec(next))
        .find(Boolean);
      errors.push(`${prefixed[1]}/${at ? `${at[1]}:${at[2]}` : "?"} ${esbuild[1]}`);
    }
  }
  // pnpm names the package that failed first; the folders come from the error lines.
  const named = [...output.matchAll(/ERR_PNPM_RECURSIVE_RUN_FIRST_FAIL\s+(@[\w/-]+)@/g)].map((m) => m[1] as string);
  const where = named.length > 0 ? named.join(", ") : failed.size > 0 ? [...failed].join(", ") : "a package";
  const first = errors.slice(0, 10).map((error) => `  ${error}`);
  return [
    `The build of ${where} failed${first.length > 0 ? ":" : " (run `pnpm build` for the whole output)."}`,
    ...first,
    ...(errors.length > first.length ? [`  ... and ${errors.length - first.length} more`] : []),
  ].join("\n");
}
