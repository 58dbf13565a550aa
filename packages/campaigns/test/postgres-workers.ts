// Runs one campaign from several worker processes sharing a PostgreSQL
// journal (postgres-worker.mjs), started together once each has its token,
// and collects their summaries: for the many-workers test and the bench.
import { type ChildProcess, fork } from "node:child_process";
import type { BatchSummary } from "../src/index.js";

export interface WorkersRun {
  /** The sandbox's settings, as the client needs them. */
  sandbox: { baseUrl: string; tokenUrl: string; apiKey: string; keyId: string; privateKeyPath: string };
  databaseUrl: string;
  /** The shared budget, requests per second across all the workers. */
  limit: number;
  arrivalMarginMs?: number;
  /** Messages in the campaign. */
  messages: number;
  workers: number;
}

/** The next message a worker sends its parent; a worker that exits first is an error. */
const nextMessage = (child: ChildProcess) =>
  new Promise<{ ready?: true; summary?: BatchSummary }>((resolve, reject) => {
    const exited = (code: number | null) => reject(new Error(`a campaign worker stopped early (exit ${code})`));
    child.once("exit", exited);
    child.once("message", (message) => {
      child.off("exit", exited);
      resolve(message as { ready?: true; summary?: BatchSummary });
    });
  });

export async function runPostgresWorkers(run: WorkersRun): Promise<BatchSummary[]> {
  const children = Array.from({ length: run.workers }, (_, worker) =>
    fork(new URL("./postgres-worker.mjs", import.meta.url), [JSON.stringify({ ...run, worker })], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      execArgv: ["--no-warnings"],
    }),
  );
  try {
    await Promise.all(children.map(nextMessage));
    // Each worker took its token with one API call, which the sandbox's limit counts: let them leave its second.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const done = children.map((child) => {
      const summary = nextMessage(child);
      child.send("go");
      return summary;
    });
    return (await Promise.all(done)).map(({ summary }) => {
      if (!summary) throw new Error("a campaign worker answered without its summary");
      return summary;
    });
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  }
}
