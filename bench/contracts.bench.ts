// `pnpm bench` (fourth part): the contract check as another team runs it,
// `nhs-app contracts --against`, from the packed CLI installed with plain npm
// in a project outside this repository, beside the same check run here by
// `pnpm contracts --against` (from the sources, through tsx), against NHS
// England's published folder when it is beside the clone, else a release made
// from our own documents. The baseline is a bare `node -e ""` from the same
// run, so the figures mean something on a busy machine; the target for the
// installed command is 10 s on a quiet 2-core machine. BENCH_CONTRACT_RUNS
// sets the runs of each (default 5); the median is shown.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { release, removeReleases } from "../packages/contract-check/test/release.ts";
import { toolRoot } from "../scripts/lib/documents.ts";
import { installTarballs, npmEnvironment } from "../scripts/lib/npm-consumers.ts";
import { packWorkspace } from "../scripts/lib/pack.ts";

const RUNS = Number(process.env.BENCH_CONTRACT_RUNS ?? 5);
const run = promisify(execFile);

const published = [process.env.NHS_APP_PUBLISHED_DIR, path.join(toolRoot, "../shared/published")].find(
  (dir) => dir && existsSync(dir),
);
const against = published ?? (await release());

/** The median wall time of `RUNS` runs of a command, in seconds; a run must end with one of `codes`. */
async function median(command: string, args: string[], cwd: string, codes = [0]): Promise<number> {
  const seconds: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const code = await run(command, args, { cwd, env: npmEnvironment(), maxBuffer: 64 * 1024 * 1024 }).then(
      () => 0,
      (error: { code?: number }) => error.code ?? -1,
    );
    if (!codes.includes(code)) throw new Error(`${command} ${args.join(" ")} exited ${code}`);
    seconds.push((performance.now() - started) / 1000);
  }
  return seconds.sort((a, b) => a - b)[Math.floor(seconds.length / 2)] as number;
}

const scratch = await mkdtemp(path.join(tmpdir(), "nhs-app-bench-contracts-"));
try {
  const installStarted = performance.now();
  const tarballs = Object.fromEntries((await packWorkspace(scratch)).map((p) => [p.manifest.name, p.tarball]));
  const project = await installTarballs(tarballs, "nhs-app-bench-consumer-");
  const installSeconds = (performance.now() - installStarted) / 1000;
  try {
    const node = await median(process.execPath, ["-e", ""], project);
    const installed = await median(
      path.join(project, "node_modules/.bin/nhs-app"),
      ["contracts", "--against", against],
      project,
    );
    const inRepo = await median(
      path.join(toolRoot, "node_modules/.bin/tsx"),
      [path.join(toolRoot, "contracts/run.ts"), "--against", against],
      toolRoot,
    );
    const row = (label: string, seconds: number) =>
      console.log(`${label.padEnd(58)}${seconds.toFixed(2).padStart(8)} s ${(seconds / node).toFixed(1).padStart(8)}x`);
    console.log(
      `\nContract check against ${published ? "NHS England's published folder" : "a release of our own documents"} (median of ${RUNS})`,
    );
    console.log(`${"".padEnd(58)}${"time".padStart(10)} ${"vs node".padStart(8)}`);
    row("node -e '' (baseline)", node);
    row("nhs-app contracts --against (npm-installed CLI)", installed);
    row("pnpm contracts --against (this repository, from sources)", inRepo);
    console.log(
      `installed: ${installed <= 10 ? "within" : "over"} the 10 s target; packing and npm install took ${installSeconds.toFixed(1)} s once (not counted)`,
    );
  } finally {
    await rm(project, { recursive: true, force: true });
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
  await removeReleases();
}
