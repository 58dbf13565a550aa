// Another team's view of a release: the packed tarballs installed with plain
// npm into a scratch project outside the workspace (so no workspace link or
// hoisted package can stand in for a missing dependency), then an ES module
// and a CommonJS consumer (test/npm-consumers/) compiled under strict
// TypeScript and run against them.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { toolRoot } from "./documents.ts";

const run = promisify(execFile);

export interface ConsumerStep {
  name: string;
  ok: boolean;
  output: string;
}

/**
 * The environment for npm and the consumers: pnpm's own settings left out, so
 * npm behaves as it does for a user, and NODE_PATH too. The workspace's bin
 * shims set NODE_PATH to its hoisted node_modules, through which a consumer
 * would find packages it never installed (Prism did, before this).
 */
function npmEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(npm_|PNPM_|pnpm_|NODE_PATH$)/i.test(key)),
  ) as NodeJS.ProcessEnv;
}

/** Runs each step in turn, stopping at the first that fails; a step's output is kept only when it fails or speaks. */
export async function checkNpmConsumers(tarballs: Record<string, string>): Promise<ConsumerStep[]> {
  const project = await mkdtemp(path.join(tmpdir(), "nhs-app-npm-consumer-"));
  const steps: ConsumerStep[] = [];
  const step = async (name: string, command: string, args: string[]) => {
    const result = await run(command, args, { cwd: project, env: npmEnvironment(), maxBuffer: 16 * 1024 * 1024 }).then(
      ({ stdout }) => ({ ok: true, output: stdout.trim() }),
      (error: { stdout?: string; stderr?: string; message: string }) => ({
        ok: false,
        output: `${error.stdout ?? ""}${error.stderr ?? error.message}`.trim(),
      }),
    );
    steps.push({ name, ...result });
    return result.ok;
  };
  try {
    const dependencies = Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`]));
    await writeFile(
      path.join(project, "package.json"),
      JSON.stringify({ name: "npm-consumer", private: true, type: "module", dependencies }, null, 2),
    );
    for (const file of ["esm.ts", "cjs.cts"]) {
      await copyFile(path.join(toolRoot, "test/npm-consumers", file), path.join(project, file));
    }
    await writeFile(
      path.join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2022",
          outDir: "dist",
          // Node's types from the workspace: the only thing not installed here, and not ours.
          typeRoots: [path.join(toolRoot, "node_modules/@types")],
          types: ["node"],
        },
        files: ["esm.ts", "cjs.cts"],
      }),
    );
    const installed =
      (await step("npm install the tarballs", "npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"])) &&
      (await step("msw and Prism stay out (optional peers)", process.execPath, [
        "-e",
        `for (const name of ["msw", "@stoplight/prism-cli"]) if (require("node:fs").existsSync("node_modules/" + name)) { console.error(name + " was installed"); process.exit(1); }`,
      ]));
    if (!installed) return steps;
    if (
      !(await step("strict tsc, ESM and CJS", path.join(toolRoot, "node_modules/.bin/tsc"), ["-p", "tsconfig.json"]))
    ) {
      return steps;
    }
    if (existsSync(path.join(project, "dist/esm.js")))
      await step("run the ESM consumer", process.execPath, ["dist/esm.js"]);
    if (existsSync(path.join(project, "dist/cjs.cjs")))
      await step("run the CJS consumer", process.execPath, ["dist/cjs.cjs"]);
    return steps;
  } finally {
    await rm(project, { recursive: true, force: true });
  }
}
