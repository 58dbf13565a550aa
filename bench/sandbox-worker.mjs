// The sandbox on a thread of its own, for benchmarks: a server in the same
// event loop as the code it measures would see that code's pauses (a journal's
// fsync) as bursts of arrivals, which a real server elsewhere would not.
import { parentPort, workerData } from "node:worker_threads";
import { startSandbox } from "@nhs-app-api/testing";

// Every request kept (the default keeps the newest 10,000): the bench counts each create request's arrival.
const sandbox = await startSandbox({
  port: 0,
  requestHistory: { requests: Number.POSITIVE_INFINITY, bodyBytes: Number.POSITIVE_INFINITY },
  ...workerData,
});
parentPort.postMessage({
  baseUrl: sandbox.baseUrl,
  tokenUrl: sandbox.tokenUrl,
  apiKey: sandbox.apiKey,
  keyId: sandbox.keyId,
  privateKeyPath: sandbox.privateKeyPath,
});
/** Arrival times of the create requests the sandbox accepted, matched to its messages by request reference. */
function acceptedArrivals() {
  const accepted = new Set(sandbox.createdMessages.map((m) => m.requestReference));
  return sandbox.gateway.requests
    .filter((r) => r.operation === "create-in-app")
    .filter((r) => accepted.delete(r.body?.identifier?.find((i) => i.system.endsWith("/request-id"))?.value))
    .map((r) => r.receivedAt);
}

parentPort.on("message", async (message) => {
  if (message === "arrivals") {
    parentPort.postMessage({
      // When the gateway got each create request it accepted (the rate limit counts from the same moment).
      accepted: acceptedArrivals(),
      requests: sandbox.gateway.requests.filter((r) => r.operation === "create-in-app").length,
    });
  } else if (message === "stop") {
    await sandbox.stop();
    parentPort.postMessage("stopped");
    parentPort.close();
  }
});
