// Mutual TLS, with certificates made at test time (./certificates.ts): a client certificate
// signed by the CA is accepted; no certificate, a self-signed one and one from
// another CA are refused during the handshake.
import { request } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CallbackServer, createCallbackServer, type Receipt } from "../src/index.js";
import { authority, type Issued, issue } from "./certificates.js";
import { callbackExamples } from "./examples.js";

const receipt = JSON.stringify(callbackExamples("realtime-receipts").delivered);

describe("the mutual TLS callback server", () => {
  let ca: Issued;
  let otherCa: Issued;
  let server: CallbackServer;
  let restricted: CallbackServer;
  let checkThrows: CallbackServer;
  const received: Receipt[] = [];
  let clients: Record<"good" | "otherCa" | "selfSigned" | "unexpected", Issued>;

  beforeAll(async () => {
    ca = await authority("Supplier callbacks CA");
    otherCa = await authority("Some other CA");
    const serverCert = await issue(ca, "callbacks.supplier.test", "server");
    const selfSigned = await authority("nhs-app-client");
    clients = {
      good: await issue(ca, "nhs-app-client", "client"),
      otherCa: await issue(otherCa, "nhs-app-client", "client"),
      selfSigned,
      unexpected: await issue(ca, "someone-else", "client"),
    };
    const options = {
      key: serverCert.key,
      cert: serverCert.cert,
      ca: ca.cert,
      onReceipt: (r: Receipt) => void received.push(r),
    };
    server = await createCallbackServer(options);
    restricted = await createCallbackServer({ ...options, allowedClients: ["nhs-app-client"] });
    // A subject check that throws on the certificates it did not expect, as a careless one would.
    checkThrows = await createCallbackServer({
      ...options,
      allowedClients: (certificate) => {
        if (certificate.subject.CN !== "nhs-app-client") throw new TypeError("no such organisation");
        return true;
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await restricted?.close();
    await checkThrows?.close();
  });

  const send = (target: CallbackServer, client?: Issued) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        `${target.url}/FHIR/R4/Task`,
        {
          method: "POST",
          ca: ca.cert,
          ...(client ? { cert: client.cert, key: client.key } : {}),
          headers: { "content-type": "application/json" },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.end(receipt);
    });

  it("listens on 127.0.0.1 by default", () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it("accepts a client certificate signed by the CA", async () => {
    expect(await send(server, clients.good)).toBe(202);
    expect(received.at(-1)?.kind).toBe("Delivered");
  });

  it("refuses a client without a certificate, with a self-signed one, or with one from another CA", async () => {
    for (const client of [undefined, clients.selfSigned, clients.otherCa]) {
      await expect(send(server, client)).rejects.toThrow();
    }
  });

  it("checks the certificate's subject when told which clients to expect", async () => {
    expect(await send(restricted, clients.good)).toBe(202);
    expect(await send(restricted, clients.unexpected)).toBe(401);
  });

  it("refuses the client, and keeps serving, when the subject check itself throws", async () => {
    expect(await send(checkThrows, clients.unexpected)).toBe(401);
    expect(await send(checkThrows, clients.good)).toBe(202);
  });
});
