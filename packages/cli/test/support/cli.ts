// Runs the built `nhs-app` (dist/index.js) as a child process, as a user
// would. The build is made first when it is missing or older than the
// sources, once, under a lock, however many test files ask at the same time.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const cliPath = path.join(packageDir, "dist", "index.js");

function newest(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(target).map((name) => newest(path.join(target, name))));
}

const stale = () =>
  !existsSync(cliPath) ||
  Math.max(...["src", "package.json", "tsup.config.ts"].map((part) => newest(path.join(packageDir, part)))) >
    statSync(cliPath).mtimeMs;

export async function ensureBuilt(): Promise<void> {
  if (!stale()) return;
  const lock = path.join(packageDir, "node_modules", ".cli-test-build.lock");
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file is building; a lock older than two minutes was left by a run that died.
      if (waited > 120_000) rmSync(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    if (!stale()) return;
    const build = spawnSync(path.join(packageDir, "node_modules", ".bin", "tsup"), [], {
      cwd: packageDir,
      encoding: "utf8",
    });
    if (build.status !== 0) throw new Error(`the CLI did not build:\n${build.stdout}\n${build.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The environment a child gets: this process's, without any NHS_APP_ setting, plus the test's own. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("NHS_APP_")) env[name] = value;
  return { ...env, ...extra };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to its end: a started CLI (startCli), waited for, killed after `timeoutMs`. */
export function runCli(args: readonly string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<Run> {
  const running = startCli(args, env);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      running.child.kill("SIGKILL");
      reject(new Error(`nhs-app ${args.join(" ")} did not finish in ${timeoutMs} ms`));
    }, timeoutMs);
    running.child.on("error", reject);
    void running.exited.then((code) => {
      clearTimeout(timer);
      resolve({ code, ...running.output() });
    });
  });
}

/** A CLI process left running (the sandbox), with its output so far. */
export interface Running {
  child: ChildProcess;
  output: () => { stdout: string; stderr: string };
  waitFor: (text: string, timeoutMs?: number) => Promise<string>;
  exited: Promise<number | null>;
}

export function startCli(args: readonly string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [cliPath, ...args], { env: childEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  const waitFor = async (text: string, timeoutMs = 20_000) => {
    for (let waited = 0; !stdout.includes(text); waited += 50) {
      if (waited > timeoutMs || child.exitCode !== null) {
        throw new Error(`no "${text}" from nhs-app ${args.join(" ")}; stdout: ${stdout}; stderr: ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return stdout;
  };
  return { child, output: () => ({ stdout, stderr }), waitFor, exited };
}

/** Whether stderr is the one `nhs-app: ...` line the README promises, with no stack frame. */
export function isOneErrorLine(stderr: string): boolean {
  const lines = stderr.split("\n").filter((line) => line !== "");
  return lines.length === 1 && lines[0]?.startsWith("nhs-app: ") === true && !/^\s+at /m.test(stderr);
}

/**
 * The CLI's own `run` (src/run.ts) in this process, with what it writes to
 * stdout and stderr captured and the environment it sees replaced for the
 * call: for the many usage checks, where starting a process per command line
 * would be most of the cost. Calls must not overlap (tests in a file run one
 * at a time); the built executable is still run by `runCli`.
 */
export async function runInProcess(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const { run } = await import("../../src/run.ts");
  const saved = { stdout: process.stdout.write, stderr: process.stderr.write, env: process.env };
  const written = { stdout: "", stderr: "" };
  const capture =
    (stream: "stdout" | "stderr") =>
    (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      written[stream] += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      const callback = rest.find((arg): arg is (error?: Error) => void => typeof arg === "function");
      if (callback) queueMicrotask(() => callback());
      return true;
    };
  process.stdout.write = capture("stdout") as typeof process.stdout.write;
  process.stderr.write = capture("stderr") as typeof process.stderr.write;
  process.env = childEnv(env);
  try {
    const code = await run(args);
    return { code, ...written };
  } finally {
    process.stdout.write = saved.stdout;
    process.stderr.write = saved.stderr;
    process.env = saved.env;
  }
}
