// The sandbox on a thread of its own (sandbox-worker.mjs), for the campaign
// benchmarks: a server in the same event loop as the code it measures would
// see that code's pauses as bursts of arrivals, which a server elsewhere
// would not.
import { Worker } from "node:worker_threads";
import type { SandboxOptions } from "@nhs-app-api/testing";

export interface SandboxSettings {
  baseUrl: string;
  tokenUrl: string;
  apiKey: string;
  keyId: string;
  privateKeyPath: string;
}

export interface Arrivals {
  /** When the sandbox accepted each message, epoch ms, in order. */
  accepted: number[];
  /** Create requests the sandbox saw, accepted or not. */
  requests: number;
}

export async function sandboxThread(options: Pick<SandboxOptions, "rateLimit"> = {}) {
  const worker = new Worker(new URL("./sandbox-worker.mjs", import.meta.url), { workerData: options });
  const ask = <T>(message?: string) =>
    new Promise<T>((resolve) => {
      worker.once("message", resolve);
      if (message) worker.postMessage(message);
    });
  const settings = await ask<SandboxSettings>();
  return {
    settings,
    arrivals: () => ask<Arrivals>("arrivals"),
    async stop() {
      await ask("stop");
      await worker.terminate();
    },
  };
}
