// A throwaway PostgreSQL server for tests: a new cluster in a temporary folder,
// trust authentication, listening on 127.0.0.1 only, on a free port; stopped
// and deleted afterwards. It needs PostgreSQL's server programs (Debian's
// postgresql package puts them in /usr/lib/postgresql/<version>/bin); without
// them `whyNoPostgres()` says what is missing, for the tests to skip and say so.
//
// initdb and postgres refuse to run as root: as root, both run as an
// unprivileged user that exists here (postgres, else nobody), through spawn's
// uid and gid, so the child is the server itself and can be stopped by its id.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { unprivilegedUser } from "./unprivileged-user.ts";

/** The folder holding initdb and postgres: NHS_APP_POSTGRES_BIN, else the newest Debian install, else PATH. */
function findBin(): string | undefined {
  const has = (dir: string) => existsSync(path.join(dir, "initdb")) && existsSync(path.join(dir, "postgres"));
  const named = process.env.NHS_APP_POSTGRES_BIN;
  if (named) return has(named) ? named : undefined;
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const version of versions) {
      const dir = path.join(debian, version, "bin");
      if (has(dir)) return dir;
    }
  }
  return (process.env.PATH ?? "").split(path.delimiter).find((dir) => dir !== "" && has(dir));
}

const bin = findBin();
const asUser = unprivilegedUser();

/** Why these tests cannot start a server here; undefined when they can. */
export function whyNoPostgres(): string | undefined {
  if (!bin)
    return "PostgreSQL's server programs (initdb, postgres) are not installed: apt-get install postgresql, or set NHS_APP_POSTGRES_BIN";
  if (process.getuid?.() === 0 && !asUser)
    return "running as root and no unprivileged user (postgres or nobody) to run the server as";
  return undefined;
}

export interface PostgresServer {
  readonly port: number;
  /** postgres://postgres@127.0.0.1:<port>/<database> (trust authentication: no password needed). */
  url(database?: string): string;
  /** How long initdb took, and the server from its start until it accepted a connection (ms). */
  readonly timings: { initdbMs: number; startMs: number };
  stop(): Promise<void>;
}

/** A port nothing listens on just now (also for a test that wants a closed one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** Runs a program as the unprivileged user (under root) and collects its output. */
function run(program: string, args: string[], cwd: string): { child: ChildProcess; output: () => string } {
  const child = spawn(path.join(bin as string, program), args, {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LC_ALL: "C" },
    ...(asUser ? { uid: asUser.uid, gid: asUser.gid } : {}),
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk;
  });
  return { child, output: () => output };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.once("exit", (code) => resolve(code));
  });

async function acceptsConnections(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates a cluster and starts a server on it; call stop() when done (an afterAll). */
export async function startPostgres(): Promise<PostgresServer> {
  const why = whyNoPostgres();
  if (why) throw new Error(why);
  const dir = await mkdtemp(path.join(tmpdir(), "nhs-app-pg-"));
  try {
    if (asUser) await chown(dir, asUser.uid, asUser.gid);
    const data = path.join(dir, "data");

    let started = performance.now();
    const initdb = run(
      "initdb",
      ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync"],
      dir,
    );
    if ((await exited(initdb.child)) !== 0) throw new Error(`initdb failed:\n${initdb.output()}`);
    const initdbMs = performance.now() - started;

    // A port found free may be taken before the server binds it: try another a few times.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      started = performance.now();
      // fsync off: a test cluster need not survive a power cut, and it keeps the tests quick on a shared machine.
      const server = run(
        "postgres",
        [
          ...["-D", data, "-p", String(port), "-c", "listen_addresses=127.0.0.1"],
          ...["-c", `unix_socket_directories=${dir}`, "-c", "fsync=off"],
        ],
        dir,
      );
      const url = (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`;
      const deadline = Date.now() + 30_000;
      let ready = false;
      while (!ready && server.child.exitCode === null && Date.now() < deadline) {
        ready = await acceptsConnections(url());
        if (!ready) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      if (ready) {
        const startMs = performance.now() - started;
        return {
          port,
          url,
          timings: { initdbMs, startMs },
          async stop() {
            // SIGINT is PostgreSQL's fast shutdown: clients are disconnected, the server exits.
            if (server.child.exitCode === null) server.child.kill("SIGINT");
            const stopped = await Promise.race([
              exited(server.child).then(() => true),
              new Promise<false>((resolve) => setTimeout(() => resolve(false), 10_000)),
            ]);
            if (!stopped) server.child.kill("SIGQUIT");
            await rm(dir, { recursive: true, force: true });
          },
        };
      }
      if (server.child.exitCode === null) {
        server.child.kill("SIGQUIT");
        await exited(server.child);
      }
      if (attempt >= 3 || !/could not bind|Address already in use/i.test(server.output())) {
        throw new Error(`postgres did not start on 127.0.0.1:${port}:\n${server.output()}`);
      }
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
