// The benchmark's stand-in for the NHS App API, run in a worker thread so it
// does not share the client's event loop, on 127.0.0.1 only. The token route
// is the repository's one token endpoint (the platform's rules, from the
// built @nhs-app-api/testing); the API route answers a 201 at once, with the
// shapes the real API uses, so that it costs as little as possible.
import { createPublicKey } from "node:crypto";
import { createServer } from "node:http";
import { parentPort, workerData } from "node:worker_threads";
import { operations, systems } from "@nhs-app-api/contract";
import { isTokenError, TokenIssuer } from "@nhs-app-api/testing";

const created = JSON.stringify({
  resourceType: "CommunicationRequest",
  identifier: [{ system: systems.communicationId, value: "8f7ec136-66eb-4a9e-97ca-5c7a53d2710c" }],
  status: "active",
});
let tokenRequests = 0;
let issuer;

const server = createServer((request, response) => {
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", async () => {
    if (request.url === "/oauth2/token") {
      tokenRequests++;
      const result = await issuer.handle(request.headers["content-type"] ?? null, Buffer.concat(chunks).toString());
      response.writeHead(isTokenError(result) ? result.status : 200, { "content-type": "application/json" });
      response.end(JSON.stringify(result.body));
      return;
    }
    response.writeHead(201, {
      "content-type": "application/fhir+json",
      location: `http://127.0.0.1/nhs-app${operations["create-in-app"].path}/8f7ec136-66eb-4a9e-97ca-5c7a53d2710c`,
      "x-correlation-id": request.headers["x-correlation-id"] ?? "",
    });
    response.end(created);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address();
  issuer = new TokenIssuer({
    tokenUrl: `http://127.0.0.1:${port}/oauth2/token`,
    apiKey: workerData.apiKey,
    publicKeys: new Map([[workerData.keyId, createPublicKey(workerData.publicKeyPem)]]),
  });
  parentPort.postMessage({ port });
});
parentPort.on("message", (message) => {
  if (message === "token-requests") parentPort.postMessage({ tokenRequests });
  if (message === "reset") tokenRequests = 0;
  if (message === "stop") server.close(() => process.exit(0));
});
