// Shared helpers for the repository-level tests: scratch copies of the tree
// and running the repository's own tools in them.
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { toolRoot } from "../scripts/lib/documents.ts";

const execFileAsync = promisify(execFile);

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a binary from node_modules/.bin; never throws on a non-zero exit. */
export async function runTool(tool: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return execFileAsync(path.join(toolRoot, "node_modules/.bin", tool), args, {
    cwd: options.cwd ?? toolRoot,
    env: { ...process.env, REDOCLY_TELEMETRY: "off", NO_COLOR: "1", ...options.env },
    maxBuffer: 32 * 1024 * 1024,
  }).then(
    ({ stdout, stderr }): RunResult => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }): RunResult => ({
      code: typeof error.code === "number" ? error.code : 1,
      stdout: error.stdout ?? "",
      stderr: error.stderr ?? "",
    }),
  );
}

/** A scratch copy of the given top-level folders of the repository. */
export async function scratchCopy(folders: string[]) {
  const root = await mkdtemp(path.join(tmpdir(), "nhs-app-scratch-"));
  for (const folder of folders) await cp(path.join(toolRoot, folder), path.join(root, folder), { recursive: true });
  return {
    root,
    path: (...parts: string[]) => path.join(root, ...parts),
    /** Replaces text in a copied file, failing loudly if the text is not there. */
    async edit(file: string, from: string, to: string) {
      const full = path.join(root, file);
      const text = await readFile(full, "utf8");
      if (!text.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`);
      await writeFile(full, text.replace(from, to));
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
