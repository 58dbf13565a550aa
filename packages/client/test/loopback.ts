// A real API on 127.0.0.1 (port 0) for the observability tests: the token
// endpoint and the API are the repository's FakeGateway (the platform's
// rules), behind a node:http server, so what a test sees is what went over
// the socket (the User-Agent undici sent, not the one handed to fetch). A
// test can script the next API answers; the rest come from the gateway.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { createTestKeys, FakeGateway, type GatewayResponse } from "@nhs-app-api/testing";
import { createNhsAppClient, type NhsAppClientOptions } from "../src/index.js";

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

export interface LoopbackApi {
  baseUrl: string;
  tokenUrl: string;
  port: number;
  /** Every request, token requests included, in order. */
  received: Received[];
  /** Access tokens the token endpoint handed out. */
  tokensIssued: string[];
  /** Every client assertion the token endpoint received, as sent. */
  assertions(): string[];
  /** The next API answers, in order (the token endpoint is never scripted). */
  script: GatewayResponse[];
  client(overrides?: Partial<NhsAppClientOptions>): ReturnType<typeof createNhsAppClient>;
  close(): Promise<void>;
}

const API_KEY = "loopback-api-key";
const keys = createTestKeys("loopback-1");
export const loopbackPrivateKeyPem = keys.privateKeyPem;

const toHeaders = (incoming: IncomingHttpHeaders) => {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return headers;
};

export async function startLoopbackApi(): Promise<LoopbackApi> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const gateway = new FakeGateway({
    baseUrl: `${origin}/nhs-app`,
    tokenUrl: `${origin}/oauth2/token`,
    apiKey: API_KEY,
    keys,
  });
  const api: LoopbackApi = {
    baseUrl: gateway.baseUrl,
    tokenUrl: gateway.tokenUrl,
    port,
    received: [],
    tokensIssued: [],
    assertions: () => gateway.issuer.assertions.map((assertion) => assertion.raw),
    script: [],
    client: (overrides = {}) =>
      createNhsAppClient({
        environment: { baseUrl: gateway.baseUrl, tokenUrl: gateway.tokenUrl },
        apiKey: API_KEY,
        keyId: keys.keyId,
        privateKey: keys.privateKeyPem,
        retry: { baseDelayMs: 1, maxDelayMs: 5 },
        ...overrides,
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on("request", (request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      const method = request.method ?? "GET";
      const url = `${origin}${request.url ?? "/"}`;
      api.received.push({ method, path: request.url ?? "/", headers: request.headers });
      const asked = { method, url, headers: toHeaders(request.headers), body: Buffer.concat(chunks).toString() };
      let answer: GatewayResponse;
      if (gateway.isTokenRequest(url)) {
        answer = await gateway.token(asked);
        const token = (answer.body as { access_token?: unknown }).access_token;
        if (typeof token === "string") api.tokensIssued.push(token);
      } else {
        answer = api.script.shift() ?? (await gateway.handle(asked));
      }
      const body =
        answer.body === undefined || answer.body === ""
          ? ""
          : typeof answer.body === "string"
            ? answer.body
            : JSON.stringify(answer.body);
      response.writeHead(answer.status, answer.headers).end(body);
    });
  });
  return api;
}

/** An OperationOutcome answer, as the API sends errors. */
export const outcomeAnswer = (status: number, code: string, diagnostics: string): GatewayResponse => ({
  status,
  headers: { "content-type": "application/fhir+json" },
  body: { resourceType: "OperationOutcome", issue: [{ severity: "error", code, diagnostics }] },
});
