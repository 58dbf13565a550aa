// `pnpm bench` (second part): receipts per second through the callbacks Node
// handler on loopback, beside a bare Node server that only reads the body and
// answers 202, measured in the same run (interleaved rounds, median), with
// the ratio. Target: the handler keeps at least 90% of the bare rate.
//
// On a small, busy machine one round's rate swings with whatever else runs,
// so each round measures the two servers back to back (in alternating order)
// and the ratio reported is the median of those paired ratios, with their
// spread, rather than a ratio of two medians taken at different moments.
// Beside it, each server's event loop busy time per request (in its worker):
// what a request costs the server apart from the client. It swings less than
// the rates, though on a busy machine it also counts time spent waiting for
// a core.
import { Agent, request } from "node:http";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { operations } from "@nhs-app-api/contract";

const REQUESTS = Number(process.env.BENCH_RECEIPTS ?? 4000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const CONCURRENCY = 16;
/** The share of the bare server's rate the handler should keep. */
const TARGET = 0.9;

const spec = createRequire(import.meta.url)("@nhs-app-api/types/openapi/realtime-receipts.json") as {
  components: { examples: Record<string, { value: unknown }> };
};
const body = JSON.stringify(spec.components.examples["receipt-delivered"]?.value);

async function start(kind: "bare" | "handler") {
  const worker = new Worker(new URL("./callback-worker.mjs", import.meta.url), { workerData: { kind } });
  const { port } = await new Promise<{ port: number }>((resolve) => worker.once("message", resolve));
  return { worker, port };
}

/** The server's event loop busy time so far, in milliseconds. */
async function busyMs(worker: Worker) {
  const answer = new Promise<{ busyMs: number }>((resolve) => worker.once("message", resolve));
  worker.postMessage("busy");
  return (await answer).busyMs;
}

function post(port: number, agent: Agent) {
  return new Promise<number>((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: operations["create-realtime-receipt"].path,
        method: "POST",
        agent,
        headers: { "content-type": "application/json" },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** One round against one server: its rate (requests/s) and its busy time per request (µs). */
async function round({ worker, port }: { worker: Worker; port: number }) {
  const busyBefore = await busyMs(worker);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < REQUESTS) {
        const status = await post(port, agent);
        if (status !== 202) throw new Error(`unexpected status ${status}`);
      }
    }),
  );
  const rate = REQUESTS / ((performance.now() - started) / 1000);
  agent.destroy();
  return { rate, busyMicros: ((await busyMs(worker)) - busyBefore) * (1000 / REQUESTS) };
}

const bare = await start("bare");
const handler = await start("handler");
await round(bare); // warm up
await round(handler);
const bareRounds: { rate: number; busyMicros: number }[] = [];
const handlerRounds: { rate: number; busyMicros: number }[] = [];
for (let r = 0; r < ROUNDS; r++) {
  if (r % 2 === 0) {
    bareRounds.push(await round(bare));
    handlerRounds.push(await round(handler));
  } else {
    handlerRounds.push(await round(handler));
    bareRounds.push(await round(bare));
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const ratios = handlerRounds.map((h, i) => h.rate / (bareRounds[i]?.rate ?? Number.NaN));
const ratio = median(ratios);
const bareRate = median(bareRounds.map((r) => r.rate));
const handlerRate = median(handlerRounds.map((r) => r.rate));
const bareBusy = median(bareRounds.map((r) => r.busyMicros));
const handlerBusy = median(handlerRounds.map((r) => r.busyMicros));
const percent = (value: number) => `${(value * 100).toFixed(0)}%`;

console.log(
  `\nReceiving real-time receipts, ${ROUNDS} paired rounds of ${REQUESTS} POSTs, ${CONCURRENCY} in flight:\n`,
);
console.log(
  `${"".padEnd(34)}${"receipts/s (median)".padStart(20)}${"vs bare".padStart(10)}${"server µs/receipt".padStart(20)}`,
);
console.log(
  `${"bare node:http (read, 202)".padEnd(34)}${bareRate.toFixed(0).padStart(20)}${"1.00x".padStart(10)}${bareBusy.toFixed(1).padStart(20)}`,
);
console.log(
  `${"@nhs-app-api/callbacks handler".padEnd(34)}${handlerRate.toFixed(0).padStart(20)}${`${ratio.toFixed(2)}x`.padStart(10)}${handlerBusy.toFixed(1).padStart(20)}`,
);
console.log(
  `\nThe handler keeps ${percent(ratio)} of the bare server's rate (median of paired rounds; ` +
    `range ${percent(Math.min(...ratios))}-${percent(Math.max(...ratios))}); ` +
    `target: at least ${percent(TARGET)}, ${ratio >= TARGET ? "met" : "not met"}.`,
);
console.log(
  `Server busy time per receipt: ${bareBusy.toFixed(1)} µs bare, ${handlerBusy.toFixed(1)} µs with the handler ` +
    `(${(handlerBusy - bareBusy).toFixed(1)} µs for routing, parsing, validating and answering).`,
);
for (const { worker } of [bare, handler]) worker.postMessage("stop");
