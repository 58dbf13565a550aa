// The local sandbox: the fake gateway (gateway.ts, the same core the msw
// handlers run) on a Node HTTP server, with a private key on disk for
// integrations that read theirs from a file, and its clock at
// `{origin}/_sandbox/clock` for tools that must know which days' receipt
// reports are complete. Everything listens on 127.0.0.1 only. A body over
// MAX_REQUEST_BODY_BYTES is refused (413) without being read, and a body no
// answer depends on (a request without a valid token) is never kept.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { environments } from "@nhs-app-api/contract";
import { CallbackDelivery, type CallbackDeliveryOptions } from "./callback-delivery.js";
import { controlHandler, INSPECTOR_PATH } from "./control-api.js";
import type { CreatedMessage } from "./created-messages.js";
import {
  FakeGateway,
  type GatewayResponse,
  type GatewayTuning,
  MAX_REQUEST_BODY_BYTES,
  MULTI_PAGE_ODS_CODE,
  SANDBOX_CLOCK_PATH,
} from "./gateway.js";
import { createTestKeys } from "./keys.js";
import { SandboxTime, type SandboxTimeOptions } from "./sandbox-time.js";
import type { TokenIssuer } from "./token-rules.js";
import { Workbench } from "./workbench.js";

export { MULTI_PAGE_ODS_CODE };

/** The gateway's tuning (pages, token lifetime, status key, rate limits, clock, delivery), and the server's own. */
export interface SandboxOptions extends GatewayTuning {
  /** The gateway's port (default 4010); 0 picks a free one. */
  port?: number;
  /** Post each message's receipts and reply to this callback endpoint (CallbackDelivery), as the NHS App would. */
  callbacks?: Omit<CallbackDeliveryOptions, "scenario">;
  /**
   * The sandbox's own clock: where it starts (default now) and how fast it
   * runs (default 1, real time); the control API moves it forward. Not with
   * `now`, which makes the caller's clock the sandbox's.
   */
  clock?: SandboxTimeOptions;
}

export interface Sandbox {
  baseUrl: string;
  tokenUrl: string;
  apiKey: string;
  /** The key `_status` wants in its `apikey` header: `statusApiKey`, else the API key. */
  statusApiKey: string;
  keyId: string;
  /** `GET` it for the sandbox's clock and the first day whose receipt report is not yet complete (SandboxClock). */
  clockUrl: string;
  /** The sandbox's private key, PEM, also written to `privateKeyPath`. */
  privateKeyPem: string;
  privateKeyPath: string;
  issuer: TokenIssuer;
  gateway: FakeGateway;
  /** Every message accepted with 201, in order (the same list as `gateway.createdMessages`). */
  createdMessages: readonly CreatedMessage[];
  /** The callback delivery, when `callbacks` was given: `delivered`, `undelivered`, `callbacks`, `settled()`. */
  callbacks: CallbackDelivery | undefined;
  /** The inspector page: every message accepted, its timeline and the patient's view, with controls. */
  inspectorUrl: string;
  /** Where the control API's routes start (CONTROL-API.md): `{controlUrl}/messages`, `{controlUrl}/faults`, ... */
  controlUrl: string;
  /** The workbench the control API and the page use, for a test to call directly. */
  workbench: Workbench;
  /** The sandbox's clock (undefined when `now` was given). */
  time: SandboxTime | undefined;
  stop(): Promise<void>;
}

export const SANDBOX_API_KEY = "sandbox-api-key";
export const SANDBOX_KEY_ID = "sandbox-key-1";

/**
 * The request's body as text, or `undefined` once it is known to be over
 * MAX_REQUEST_BODY_BYTES: by its Content-Length before any of it is read,
 * else as soon as what arrived passes the limit. Nothing more is read then.
 * A body that is not `wanted` is only counted, never kept: its text is "".
 */
const readBody = (request: IncomingMessage, wanted: boolean) =>
  new Promise<string | undefined>((resolve, reject) => {
    const declared = Number(request.headers["content-length"]);
    if (declared > MAX_REQUEST_BODY_BYTES) return resolve(undefined);
    const chunks: Buffer[] = [];
    let size = 0;
    const take = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BODY_BYTES) {
        if (wanted) chunks.push(chunk);
        return;
      }
      request.off("data", take);
      request.pause();
      chunks.length = 0;
      resolve(undefined);
    };
    request.on("data", take);
    // Decoded as fetch's Request.text() decodes (a byte-order mark dropped), so the msw handlers and the sandbox read alike.
    request.on("end", () => resolve(wanted ? new TextDecoder().decode(Buffer.concat(chunks)) : ""));
    request.on("error", reject);
  });

function send(response: ServerResponse, answer: GatewayResponse) {
  const text =
    answer.body === null || answer.body === undefined
      ? ""
      : typeof answer.body === "string"
        ? answer.body
        : JSON.stringify(answer.body);
  // A HEAD answer carries the length its GET would have (RFC 9110), so the gateway's own wins.
  response.writeHead(answer.status, { "content-length": Buffer.byteLength(text), ...answer.headers });
  response.end(text);
}

const headersOf = (request: IncomingMessage) => {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return headers;
};

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  // Take the port first: a sandbox that cannot start must leave no private key behind.
  const server: Server = createServer();
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`Port ${options.port ?? 4010} on 127.0.0.1 is taken: stop what uses it, or choose another port`)
          : error,
      ),
    );
    server.listen(options.port ?? 4010, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
  });
  const { port: _port, callbacks: _callbacks, clock: _clock, ...tuning } = options;
  const keys = createTestKeys(SANDBOX_KEY_ID);
  const origin = `http://127.0.0.1:${port}`;
  let gateway: FakeGateway;
  let callbacks: CallbackDelivery | undefined;
  let time: SandboxTime | undefined;
  try {
    if (options.now && options.clock)
      throw new RangeError("Give the sandbox either now (your clock) or clock (its own), not both");
    time = options.now ? undefined : new SandboxTime(options.clock);
    const clock = time;
    callbacks = options.callbacks
      ? new CallbackDelivery({
          ...options.callbacks,
          ...(options.delivery ? { scenario: options.delivery } : {}),
          // The sandbox's clock, unless a test gave the delivery its own to move by hand.
          ...(clock && !options.callbacks.clock ? { clock } : {}),
        })
      : undefined;
    const delivery = callbacks;
    gateway = new FakeGateway({
      // The integration environment's paths (/nhs-app, /oauth2/token), on this machine.
      baseUrl: `${origin}${new URL(environments.int.baseUrl).pathname}`,
      tokenUrl: `${origin}${new URL(environments.int.tokenUrl).pathname}`,
      apiKey: SANDBOX_API_KEY,
      keys,
      ...tuning,
      ...(clock ? { now: () => clock.now() } : {}),
      ...(delivery ? { onCreated: (message, plan) => void delivery.deliver(message, plan) } : {}),
    });
  } catch (error) {
    // Settings the gateway refuses (e.g. a rate limit of 0): free the port, write no key.
    await new Promise((resolve) => server.close(resolve));
    throw error;
  }
  const workbench = new Workbench({ gateway, callbacks, time });
  gateway.useControls(controlHandler(workbench, origin));
  // Slow answers a fault asked for, each ended at once by stop().
  const slow = new Set<() => void>();
  const dir = await mkdtemp(path.join(tmpdir(), "nhs-app-sandbox-"));
  const privateKeyPath = path.join(dir, "private-key.pem");
  await writeFile(privateKeyPath, keys.privateKeyPem, { mode: 0o600 });

  server.on("request", async (request, response) => {
    try {
      const head = {
        method: request.method ?? "GET",
        url: new URL(request.url ?? "/", origin).href,
        headers: headersOf(request),
      };
      // A body nobody's answer depends on (no valid access token, say) is counted but never kept.
      const body = await readBody(request, gateway.needsBody(head));
      if (body === undefined) {
        // Too large to read: 413, and the connection closed rather than the rest of the body read.
        const answer = gateway.tooLarge(head);
        response.shouldKeepAlive = false;
        response.once("finish", () => request.socket.destroy());
        send(response, { ...answer, headers: { ...answer.headers, connection: "close" } });
        return;
      }
      const answer = await gateway.handle({ ...head, body });
      if (answer.drop) {
        // A fault: the connection closed with no answer at all.
        request.socket.destroy();
        return;
      }
      if (answer.delayMs !== undefined) {
        await new Promise<void>((resolve) => {
          const end = () => {
            clearTimeout(timer);
            slow.delete(end);
            resolve();
          };
          const timer = setTimeout(end, answer.delayMs);
          slow.add(end);
        });
        if (response.destroyed) return;
      }
      send(response, answer);
    } catch (error) {
      send(response, {
        status: 500,
        headers: { "content-type": "application/fhir+json" },
        body: {
          resourceType: "OperationOutcome",
          issue: [{ severity: "error", code: "unknown", diagnostics: `Sandbox failure: ${(error as Error).message}` }],
        },
      });
    }
  });

  let stopped = false;
  return {
    baseUrl: gateway.baseUrl,
    tokenUrl: gateway.tokenUrl,
    apiKey: SANDBOX_API_KEY,
    statusApiKey: options.statusApiKey ?? SANDBOX_API_KEY,
    keyId: keys.keyId,
    clockUrl: `${origin}${SANDBOX_CLOCK_PATH}`,
    inspectorUrl: `${origin}${INSPECTOR_PATH}`,
    controlUrl: `${origin}${INSPECTOR_PATH.replace(/\/$/, "")}`,
    workbench,
    time,
    privateKeyPem: keys.privateKeyPem,
    privateKeyPath,
    issuer: gateway.issuer,
    gateway,
    createdMessages: gateway.createdMessages,
    callbacks,
    async stop() {
      if (stopped) return;
      stopped = true;
      await callbacks?.stop();
      time?.stop();
      for (const end of slow) end();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
