// A callback endpoint for the benchmark, in a worker thread: either the
// built @nhs-app-api/callbacks Node handler with a trivial onReceipt, or a
// bare Node server that only reads the body and answers 202 as the handler
// does. Asked, each
// reports what it has spent so far (its own thread's CPU time, and its event
// loop's busy time), and can sample its own thread with the inspector, so
// the bench can say what a request costs the server apart from the client,
// and where that time goes.
import { createServer } from "node:http";
import { Session } from "node:inspector/promises";
import { performance } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import { createNodeHandler } from "@nhs-app-api/callbacks";

const bare = (request, response) => {
  request.on("data", () => undefined);
  request.on("end", () => {
    // The handler's answer to the byte: 202 with Content-Length: 0. (writeHead(202) before end()
    // would send it chunked, a longer answer that costs both ends more and flatters the handler.)
    response.statusCode = 202;
    response.end();
  });
};
let received = 0;
const handler = createNodeHandler({
  onReceipt: () => {
    received++;
  },
});
const server = createServer(workerData.kind === "bare" ? bare : handler);
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => parentPort?.postMessage({ port: server.address().port }));

/** This thread's CPU time in µs (Node 23.9 and later), else undefined: the bench then uses busy time. */
function threadCpuMicros() {
  const usage = process.threadCpuUsage?.();
  return usage ? usage.user + usage.system : undefined;
}

let session;
parentPort?.on("message", async (message) => {
  if (message === "received") parentPort?.postMessage({ received });
  if (message === "usage") {
    parentPort?.postMessage({ busyMs: performance.eventLoopUtilization().active, cpuMicros: threadCpuMicros() });
  }
  if (message === "profile-start") {
    session = new Session();
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: workerData.sampleMicros ?? 100 });
    await session.post("Profiler.start");
    parentPort?.postMessage({ profiling: true });
  }
  if (message === "profile-stop") {
    const { profile } = await session.post("Profiler.stop");
    session.disconnect();
    parentPort?.postMessage({ profile });
  }
  if (message === "stop") server.close(() => process.exit(0));
});
