// A callback endpoint for the benchmark, in a worker thread: either the
// built @nhs-app-api/callbacks Node handler with a trivial onReceipt, or a
// bare Node server that only reads the body and answers 202.
import { createServer } from "node:http";
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
  if (message === "stop") server.close(() => process.exit(0));
});
