// Starts Prism (the OpenAPI mock server) on a free loopback port, serving a
// bundled spec, and stops it again: the contract harness checks pacts
// against it, and a team can use Prism's mock or validating proxy the same
// way. The sandbox is the package's own fake gateway and does not use it, so
// Prism is an optional peer dependency of this package.
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import path from "node:path";

export interface PrismServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** A port nobody is listening on right now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function prismBin(): string {
  const require = createRequire(import.meta.url);
  try {
    const manifest = require.resolve("@stoplight/prism-cli/package.json");
    return path.join(path.dirname(manifest), "dist/index.js");
  } catch {
    throw new Error("startPrism needs Prism: install @stoplight/prism-cli (5.14 or later) beside @nhs-app-api/testing");
  }
}

/** The path of a bundled document shipped in @nhs-app-api/types, e.g. `nhs-app.json`. */
export function bundledSpecPath(file = "nhs-app.json"): string {
  return createRequire(import.meta.url).resolve(`@nhs-app-api/types/openapi/${file}`);
}

/**
 * Starts Prism on 127.0.0.1: a mock of the spec, or with `proxyTo` a proxy
 * to a real environment that checks the traffic against the spec.
 */
export async function startPrism(
  options: { spec?: string; port?: number; errors?: boolean; proxyTo?: string } = {},
): Promise<PrismServer> {
  // A free port can be taken by another process before Prism binds it: with no port asked for, try another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startPrismOn(options.port ?? (await freePort()), options);
    } catch (error) {
      const taken = error instanceof Error && /EADDRINUSE/.test(error.message);
      if (!taken || options.port !== undefined || attempt >= 5) throw error;
    }
  }
}

async function startPrismOn(
  port: number,
  options: { spec?: string; errors?: boolean; proxyTo?: string },
): Promise<PrismServer> {
  const spec = options.spec ?? bundledSpecPath();
  const command = options.proxyTo ? ["proxy", spec, options.proxyTo] : ["mock", spec];
  const args = [prismBin(), ...command, "--host", "127.0.0.1", "--port", String(port)];
  if (options.errors) args.push("--errors");
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Prism did not start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Prism is listening")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Prism exited (code ${code}) before it was ready:\n${output.slice(-2000)}`));
    });
  });
  child.stdout?.removeAllListeners("data").resume();
  child.stderr?.removeAllListeners("data").resume();
  child.removeAllListeners("exit");
  // Never leave Prism running after the process that started it has gone.
  const killOnExit = () => child.kill("SIGTERM");
  process.once("exit", killOnExit);
  child.once("exit", () => process.removeListener("exit", killOnExit));
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
