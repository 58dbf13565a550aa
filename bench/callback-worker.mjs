// A callback endpoint for the benchmark, in a worker thread: either the
// built @nhs-app-api/callbacks Node handler with a trivial onReceipt, or a
// bare Node server that only reads the body and answers 202. Each reports
// its event loop's busy time when asked, so the bench can say what a request
// costs the server apart from what it costs the client.
import { createServer } from "node:http";
import { performance } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import { createNodeHandler } from "@nhs-app-api/callbacks";

const bare = (request, response) => {
  request.on("data", () => undefined);
  request.on("end", () => {
    response.writeHead(202);
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
parentPort?.on("message", (message) => {
  if (message === "received") parentPort?.postMessage({ received });
  if (message === "busy") parentPort?.postMessage({ busyMs: performance.eventLoopUtilization().active });
  if (message === "stop") server.close(() => process.exit(0));
});
