// `pnpm bench` (second part): receipts per second through the callbacks Node
// handler on loopback, beside a bare Node server that only reads the body and
// answers 202, measured in the same run, with the ratio. Target: the handler
// keeps at least 90% of the bare rate.
//
// On a small, busy machine one round's rate swings with whatever else runs,
// so the rounds are short and many: each pair measures the two servers back
// to back (in alternating order), and the ratio reported is the median of
// those paired ratios, with the middle half of them (the range a reader can
// lean on) and all of them, rather than a ratio of two medians taken at
// different moments. Each server runs in its own worker thread, and reports
// its thread's CPU time: what a request costs the server apart from the
// client, which waiting for a core does not inflate. A last round samples
// each server's thread with the inspector, to show where that time goes:
// Node's HTTP server, reading and parsing the body, validation, normalising,
// the supplier's callback, writing the answer. Nothing here asserts a timing.
import { Agent, request } from "node:http";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { operations } from "@nhs-app-api/contract";

const REQUESTS = Number(process.env.BENCH_RECEIPTS ?? 4000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 21);
/** Requests in the profiled round of each server: enough samples for the breakdown. */
const PROFILED = Number(process.env.BENCH_PROFILED_RECEIPTS ?? 6000);
const CONCURRENCY = 16;
/** The share of the bare server's rate the handler should keep. */
const TARGET = 0.9;

const spec = createRequire(import.meta.url)("@nhs-app-api/types/openapi/realtime-receipts.json") as {
  components: { examples: Record<string, { value: unknown }> };
};
const body = JSON.stringify(spec.components.examples["receipt-delivered"]?.value);

type Kind = "bare" | "handler";
interface Server {
  kind: Kind;
  worker: Worker;
  port: number;
}

/** The next message from a worker, after sending it one. */
function ask<T>(worker: Worker, message: string): Promise<T> {
  const answer = new Promise<T>((resolve) => worker.once("message", resolve));
  worker.postMessage(message);
  return answer;
}

async function start(kind: Kind): Promise<Server> {
  const worker = new Worker(new URL("./callback-worker.mjs", import.meta.url), { workerData: { kind } });
  const { port } = await new Promise<{ port: number }>((resolve) => worker.once("message", resolve));
  return { kind, worker, port };
}

interface Usage {
  busyMs: number;
  /** The worker thread's CPU time, where Node can tell (23.9 and later). */
  cpuMicros?: number;
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

interface Round {
  /** Requests per second, as the client saw them. */
  rate: number;
  /** The server's CPU time per request (its busy time where CPU time is not known), µs. */
  serverMicros: number;
}

/** One round of `requests` POSTs against one server. */
async function round({ worker, port }: Server, requests = REQUESTS): Promise<Round> {
  const before = await ask<Usage>(worker, "usage");
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < requests) {
        const status = await post(port, agent);
        if (status !== 202) throw new Error(`unexpected status ${status}`);
      }
    }),
  );
  const rate = requests / ((performance.now() - started) / 1000);
  agent.destroy();
  const after = await ask<Usage>(worker, "usage");
  const spent =
    before.cpuMicros !== undefined && after.cpuMicros !== undefined
      ? after.cpuMicros - before.cpuMicros
      : (after.busyMs - before.busyMs) * 1000;
  return { rate, serverMicros: spent / requests };
}

// Where a request's server time goes. Each sample of a worker's thread is put
// in the first stage found walking its stack from the leaf up; the names are
// functions of the built handler and of Node's http module.
interface Stage {
  label: string;
  /** The function whose time, and its callees', is this stage's. */
  fn: string;
  /** Part of the script's URL, where the name alone is ambiguous. */
  url?: string;
  /** Work every valid receipt does in the handler: a profile without it means the name has gone stale. */
  always?: boolean;
}
const STAGES: readonly Stage[] = [
  { label: "reading the body: UTF-8, JSON.parse", fn: "readJson", always: true },
  { label: "schema validation and contract rules", fn: "requestBodyIssues", always: true },
  { label: "normalising the receipt", fn: "receiptFromTask", always: true },
  { label: "the supplier's onReceipt (a counter here)", fn: "onReceipt" },
  { label: "writing the answer (response.end)", fn: "end", url: "_http_outgoing" },
];
const HANDLER_CODE = "the rest of the handler (routing, checks)";
const NODE_HTTP = "Node's HTTP server (parse, events, socket)";
const GC = "garbage collection";
const LABELS = [NODE_HTTP, ...STAGES.map((stage) => stage.label), HANDLER_CODE, GC];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

/** Each stage's share of a profile's non-idle samples, and the stage functions never seen. */
function breakdown(profile: Profile): { shares: Map<string, number>; unseen: string[] } {
  const parentOf = new Map<number, ProfileNode>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parentOf.set(child, node);
  }
  const seen = new Set<Stage>();
  const stageOf = (leaf: ProfileNode): string | undefined => {
    if (leaf.callFrame.functionName === "(idle)" || leaf.callFrame.functionName === "(root)") return undefined;
    if (leaf.callFrame.functionName === "(garbage collector)") return GC;
    let ownCode = false;
    for (let node: ProfileNode | undefined = leaf; node; node = parentOf.get(node.id)) {
      const { functionName, url } = node.callFrame;
      const stage = STAGES.find((s) => s.fn === functionName && (s.url === undefined || url.includes(s.url)));
      if (stage) {
        seen.add(stage);
        return stage.label;
      }
      ownCode ||= url.includes("/callbacks/dist/");
    }
    return ownCode ? HANDLER_CODE : NODE_HTTP;
  };
  const counts = new Map<string, number>();
  let total = 0;
  for (const id of profile.samples) {
    const node = byId.get(id);
    const label = node && stageOf(node);
    if (!label) continue;
    counts.set(label, (counts.get(label) ?? 0) + 1);
    total++;
  }
  const shares = new Map([...counts].map(([label, count]) => [label, count / total]));
  return { shares, unseen: STAGES.filter((stage) => stage.always && !seen.has(stage)).map((stage) => stage.fn) };
}

/** A profiled round: the server's time per request, split by stage (µs). */
async function profiled(server: Server) {
  await ask(server.worker, "profile-start");
  const { serverMicros } = await round(server, PROFILED);
  const { profile } = await ask<{ profile: Profile }>(server.worker, "profile-stop");
  const { shares, unseen } = breakdown(profile);
  return { micros: new Map(LABELS.map((label) => [label, (shares.get(label) ?? 0) * serverMicros])), unseen };
}

const bare = await start("bare");
const handler = await start("handler");
await round(bare); // warm up
await round(handler);
const bareRounds: Round[] = [];
const handlerRounds: Round[] = [];
for (let r = 0; r < ROUNDS; r++) {
  if (r % 2 === 0) {
    bareRounds.push(await round(bare));
    handlerRounds.push(await round(handler));
  } else {
    handlerRounds.push(await round(handler));
    bareRounds.push(await round(bare));
  }
}
const bareProfile = await profiled(bare);
const handlerProfile = await profiled(handler);
// Every 202 the handler gave was a receipt parsed, validated and handed to onReceipt.
const { received } = await ask<{ received: number }>(handler.worker, "received");
const sent = REQUESTS + ROUNDS * REQUESTS + PROFILED; // the warm-up round, the rounds, the profiled round
if (received !== sent) throw new Error(`the handler's onReceipt saw ${received} receipts of ${sent}`);

/** The value below which a share `q` of the values lie (nearest rank). */
const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? Number.NaN;
const median = (values: number[]) => quantile(values, 0.5);
const ratios = handlerRounds.map((h, i) => h.rate / (bareRounds[i]?.rate ?? Number.NaN));
const ratio = median(ratios);
const bareRate = median(bareRounds.map((r) => r.rate));
const handlerRate = median(handlerRounds.map((r) => r.rate));
const bareMicros = median(bareRounds.map((r) => r.serverMicros));
const handlerMicros = median(handlerRounds.map((r) => r.serverMicros));
const percent = (value: number) => `${(value * 100).toFixed(0)}%`;
/** Node 23.9 and later tell a thread's CPU time (the workers use it); @types/node 20 does not know it yet. */
const cpu = "threadCpuUsage" in process ? "CPU" : "busy";

console.log(
  `\nReceiving real-time receipts, ${ROUNDS} paired rounds of ${REQUESTS} POSTs, ${CONCURRENCY} in flight, each server in its own worker thread:\n`,
);
console.log(
  `${"".padEnd(34)}${"receipts/s (median)".padStart(20)}${"vs bare".padStart(10)}${`server ${cpu} µs/receipt`.padStart(24)}`,
);
console.log(
  `${"bare node:http (read, 202)".padEnd(34)}${bareRate.toFixed(0).padStart(20)}${"1.00x".padStart(10)}${bareMicros.toFixed(1).padStart(24)}`,
);
console.log(
  `${"@nhs-app-api/callbacks handler".padEnd(34)}${handlerRate.toFixed(0).padStart(20)}${`${ratio.toFixed(2)}x`.padStart(10)}${handlerMicros.toFixed(1).padStart(24)}`,
);
console.log(
  `\nThe handler keeps ${percent(ratio)} of the bare server's rate (median of ${ROUNDS} paired rounds; ` +
    `middle half ${percent(quantile(ratios, 0.25))}-${percent(quantile(ratios, 0.75))}, ` +
    `all ${percent(Math.min(...ratios))}-${percent(Math.max(...ratios))}); ` +
    `target: at least ${percent(TARGET)}, ${ratio >= TARGET ? "met" : "not met"}.`,
);
console.log(
  `Server ${cpu} time per receipt: ${bareMicros.toFixed(1)} µs bare, ${handlerMicros.toFixed(1)} µs with the handler ` +
    `(${(handlerMicros - bareMicros).toFixed(1)} µs more).\n` +
    "The client shares the cores and sets the pace; a server that answers a little later takes more requests " +
    "per wake-up, so the rates can favour the handler, and the CPU difference is less than its own work below.",
);

console.log(`\nWhere a receipt's server time goes (µs, one sampled round of ${PROFILED} POSTs each):\n`);
console.log(`${"".padEnd(44)}${"bare".padStart(10)}${"handler".padStart(10)}`);
for (const label of LABELS) {
  const cell = (micros: number) => (micros === 0 ? "-" : micros.toFixed(1)).padStart(10);
  console.log(
    `${label.padEnd(44)}${cell(bareProfile.micros.get(label) ?? 0)}${cell(handlerProfile.micros.get(label) ?? 0)}`,
  );
}
const sum = (micros: Map<string, number>) => [...micros.values()].reduce((a, b) => a + b, 0);
console.log(
  `${"total (sampling costs a little)".padEnd(44)}${sum(bareProfile.micros).toFixed(1).padStart(10)}${sum(handlerProfile.micros).toFixed(1).padStart(10)}`,
);
console.log("A valid receipt is logged nowhere (the handler logs refusals and failures only).");
if (handlerProfile.unseen.length > 0) {
  console.log(`(No samples in ${handlerProfile.unseen.join(", ")}: renamed in the handler? Update STAGES.)`);
}
for (const { worker } of [bare, handler]) worker.postMessage("stop");
