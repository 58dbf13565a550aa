// `pnpm bench` (second part): receipts per second through the callbacks Node
// handler on loopback, beside a bare Node server that only reads the body and
// answers 202, measured in the same run (interleaved rounds, median), with
// the ratio. Target: the handler keeps at least 70% of the bare rate.
//
// On a small, busy machine one round's rate swings with whatever else runs,
// so each round measures the two servers back to back (in alternating order)
// and the ratio reported is the median of those paired ratios, with their
// spread, rather than a ratio of two medians taken at different moments.
import { Agent, request } from "node:http";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { operations } from "@nhs-app-api/contract";

const REQUESTS = Number(process.env.BENCH_RECEIPTS ?? 4000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const CONCURRENCY = 16;

const spec = createRequire(import.meta.url)("@nhs-app-api/types/openapi/realtime-receipts.json") as {
  components: { examples: Record<string, { value: unknown }> };
};
const body = JSON.stringify(spec.components.examples["receipt-delivered"]?.value);

async function start(kind: "bare" | "handler") {
  const worker = new Worker(new URL("./callback-worker.mjs", import.meta.url), { workerData: { kind } });
  const { port } = await new Promise<{ port: number }>((resolve) => worker.once("message", resolve));
  return { worker, port };
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

async function round(port: number) {
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
  agent.destroy();
  return REQUESTS / ((performance.now() - started) / 1000);
}

const bare = await start("bare");
const handler = await start("handler");
await round(bare.port); // warm up
await round(handler.port);
const bareRates: number[] = [];
const handlerRates: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  if (r % 2 === 0) {
    bareRates.push(await round(bare.port));
    handlerRates.push(await round(handler.port));
  } else {
    handlerRates.push(await round(handler.port));
    bareRates.push(await round(bare.port));
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const ratios = handlerRates.map((rate, i) => rate / (bareRates[i] ?? Number.NaN));
const ratio = median(ratios);

console.log(
  `\nReceiving real-time receipts, ${ROUNDS} paired rounds of ${REQUESTS} POSTs, ${CONCURRENCY} in flight:\n`,
);
console.log(`${"".padEnd(34)}${"receipts/s (median)".padStart(20)}${"vs bare".padStart(10)}`);
console.log(
  `${"bare node:http (read, 202)".padEnd(34)}${median(bareRates).toFixed(0).padStart(20)}${"1.00x".padStart(10)}`,
);
console.log(
  `${"@nhs-app-api/callbacks handler".padEnd(34)}${median(handlerRates).toFixed(0).padStart(20)}${`${ratio.toFixed(2)}x`.padStart(10)}`,
);
console.log(
  `\nThe handler keeps ${(ratio * 100).toFixed(0)}% of the bare server's rate (median of paired rounds; ` +
    `range ${(Math.min(...ratios) * 100).toFixed(0)}-${(Math.max(...ratios) * 100).toFixed(0)}%; target: at least 70%).`,
);
for (const { worker } of [bare, handler]) worker.postMessage("stop");
