// The benchmark's stand-in for the NHS App API and token endpoint, run in a
// worker thread so it does not share the client's event loop. It answers
// at once, with the shapes the real API uses, on 127.0.0.1 only.
import { createServer } from "node:http";
import { parentPort } from "node:worker_threads";

const created = JSON.stringify({
  resourceType: "CommunicationRequest",
  identifier: [
    { system: "https://fhir.nhs.uk/Id/nhs-app-communication-id", value: "8f7ec136-66eb-4a9e-97ca-5c7a53d2710c" },
  ],
  status: "active",
});
let tokenRequests = 0;

const server = createServer((request, response) => {
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    if (request.url === "/oauth2/token") {
      tokenRequests++;
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ access_token: "bench-token", expires_in: "599", token_type: "Bearer" }));
      return;
    }
    response.writeHead(201, {
      "content-type": "application/fhir+json",
      location:
        "http://127.0.0.1/nhs-app/communication/in-app/FHIR/R4/CommunicationRequest/8f7ec136-66eb-4a9e-97ca-5c7a53d2710c",
      "x-correlation-id": request.headers["x-correlation-id"] ?? "",
    });
    response.end(created);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => parentPort.postMessage({ port: server.address().port }));
parentPort.on("message", (message) => {
  if (message === "token-requests") parentPort.postMessage({ tokenRequests });
  if (message === "reset") tokenRequests = 0;
  if (message === "stop") server.close(() => process.exit(0));
});
