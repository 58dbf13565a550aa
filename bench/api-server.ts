// Starts the benches' stand-in for the NHS App API (server.mjs) in a worker
// thread, so it never shares the event loop of the client being measured.
import type { KeyObject } from "node:crypto";
import { Worker } from "node:worker_threads";
import { inAppMessage } from "@nhs-app-api/client";

/** The in-app message every client bench sends: a realistic size, a campaign ID, no reply. */
export const benchMessage = () =>
  inAppMessage({
    nhsNumber: "9434765919",
    odsCode: "B82041",
    text: "Your appointment on Monday at 9:30 is confirmed. Reply YES to keep it.",
    campaignId: "bench",
  });

export interface BenchApi {
  baseUrl: string;
  tokenUrl: string;
  /** Token requests since the start or the last reset. */
  tokenRequests(): Promise<number>;
  resetCounts(): void;
  stop(): void;
}

export async function startBenchApi(keys: { keyId: string; publicKey: KeyObject }): Promise<BenchApi> {
  const worker = new Worker(new URL("./server.mjs", import.meta.url), {
    workerData: {
      apiKey: "bench",
      keyId: keys.keyId,
      publicKeyPem: keys.publicKey.export({ type: "spki", format: "pem" }),
    },
  });
  const { port } = await new Promise<{ port: number }>((resolve) => worker.once("message", resolve));
  const origin = `http://127.0.0.1:${port}`;
  return {
    baseUrl: `${origin}/nhs-app`,
    tokenUrl: `${origin}/oauth2/token`,
    tokenRequests: () =>
      new Promise<number>((resolve) => {
        worker.once("message", (answer: { tokenRequests: number }) => resolve(answer.tokenRequests));
        worker.postMessage("token-requests");
      }),
    resetCounts: () => worker.postMessage("reset"),
    stop: () => worker.postMessage("stop"),
  };
}
