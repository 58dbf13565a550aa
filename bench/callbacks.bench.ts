// `pnpm bench` (second part): receipts per second through the callbacks Node
// handler on loopback, beside a bare Node server that only reads the body and
// answers 202, measured in the same run (interleaved rounds, median), with
// the ratio. Target: the handler keeps at least 70% of the bare rate.
import { Agent, request } from "node:http";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

const REQUESTS = Number(process.env.BENCH_RECEIPTS ?? 4000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
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
        path: "/FHIR/R4/Task",
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

const servers = {
  "bare node:http (read, 202)": await start("bare"),
  "@nhs-app-api/callbacks handler": await start("handler"),
};
const rates: Record<string, number[]> = Object.fromEntries(Object.keys(servers).map((name) => [name, []]));
for (const { port } of Object.values(servers)) await round(port); // warm up
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, { port }] of Object.entries(servers)) rates[name]?.push(await round(port));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const [bareRate, handlerRate] = Object.values(rates).map(median) as [number, number];

console.log(
  `\nReceiving real-time receipts, ${ROUNDS} rounds of ${REQUESTS} POSTs, ${CONCURRENCY} in flight (median round):\n`,
);
console.log(`${"".padEnd(34)}${"receipts/s".padStart(12)}${"vs bare".padStart(10)}`);
for (const [name, values] of Object.entries(rates)) {
  console.log(
    `${name.padEnd(34)}${median(values).toFixed(0).padStart(12)}${`${(median(values) / bareRate).toFixed(2)}x`.padStart(10)}`,
  );
}
console.log(
  `\nThe handler keeps ${((handlerRate / bareRate) * 100).toFixed(0)}% of the bare server's rate (target: at least 70%).`,
);
for (const { worker } of Object.values(servers)) worker.postMessage("stop");
