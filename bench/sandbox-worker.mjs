// The sandbox on a thread of its own, for benchmarks: a server in the same
// event loop as the code it measures would see that code's pauses (a journal's
// fsync) as bursts of arrivals, which a real server elsewhere would not.
import { parentPort, workerData } from "node:worker_threads";
import { startSandbox } from "@nhs-app-api/testing";

const sandbox = await startSandbox({ port: 0, ...workerData });
parentPort.postMessage({
  baseUrl: sandbox.baseUrl,
  tokenUrl: sandbox.tokenUrl,
  apiKey: sandbox.apiKey,
  keyId: sandbox.keyId,
  privateKeyPath: sandbox.privateKeyPath,
});
parentPort.on("message", async (message) => {
  if (message === "arrivals") {
    parentPort.postMessage({
      accepted: sandbox.createdMessages.map((m) => Date.parse(m.receivedAt)),
      requests: sandbox.gateway.requests.filter((r) => r.operation === "create-in-app").length,
    });
  } else if (message === "stop") {
    await sandbox.stop();
    parentPort.postMessage("stopped");
    parentPort.close();
  }
});
