// An HTTPS server for the callbacks that requires mutual TLS: a client
// without a certificate, or with one that the given CA did not sign, cannot
// finish the handshake. Optionally the certificate's subject is checked too
// (a 401, as the callback specs say, when it is not one you expect). It is
// meant to face the internet, so it drops clients that stall (in the
// handshake, the headers, the body or between requests) after seconds, not
// Node's minutes, and speaks only TLS with forward secrecy and AEAD ciphers.
import { createServer, type Server } from "node:https";
import { DEFAULT_CIPHERS, type PeerCertificate, type TLSSocket } from "node:tls";
import { type CallbackHandlerOptions, createNodeHandler } from "./handler.js";
import { issue, toOperationOutcome } from "./issues.js";

/** How long the server waits on a client before dropping it, in milliseconds. */
export interface CallbackServerTimeouts {
  /** From the TCP connection to the end of the TLS handshake (default 10 s). */
  handshakeMs?: number;
  /**
   * From the start of a request to the end of its headers (default 10 s). On
   * a new connection the clock starts when the handshake ends, so a client
   * that connects and sends nothing is dropped too.
   */
  headersMs?: number;
  /** From the start of a request to the end of its body (default 30 s); at least `headersMs`. */
  requestMs?: number;
  /** How long a connection may sit idle between requests (default 5 s). */
  keepAliveMs?: number;
}

/** The timeouts a callback server uses where none are given. */
export const DEFAULT_SERVER_TIMEOUTS: Readonly<Required<CallbackServerTimeouts>> = Object.freeze({
  handshakeMs: 10_000,
  headersMs: 10_000,
  requestMs: 30_000,
  keepAliveMs: 5_000,
});

/**
 * The only TLS 1.2 cipher suites the server accepts: ECDHE key exchange, so
 * a key stolen later cannot decrypt recorded traffic (forward secrecy), with
 * AEAD ciphers, so no CBC padding oracles (Lucky13) and no SHA-1 MACs. This is
 * Mozilla's "intermediate" TLS 1.2 list without its finite-field DHE suites.
 * TLS 1.3 suites all have both properties, so Node's defaults stand for them.
 */
export const TLS12_CIPHER_SUITES = [
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
] as const;

export type MinTlsVersion = "TLSv1.2" | "TLSv1.3";

export interface CallbackServerOptions extends CallbackHandlerOptions {
  /** The server's private key and certificate (PEM). */
  key: string | Buffer;
  cert: string | Buffer;
  /** The CA (PEM) whose signature a client certificate must carry. */
  ca: string | Buffer | (string | Buffer)[];
  /** 0 (the default) picks a free port. */
  port?: number;
  /** 127.0.0.1 unless you say otherwise (for example 0.0.0.0 behind your firewall). */
  host?: string;
  /** Accept only these client certificate subject CNs, or decide with a function. */
  allowedClients?: string[] | ((certificate: PeerCertificate) => boolean);
  /** Tighten or loosen any of the timeouts; the rest keep their defaults ({@link DEFAULT_SERVER_TIMEOUTS}). */
  timeouts?: CallbackServerTimeouts;
  /**
   * The oldest TLS version accepted: "TLSv1.2" (the default, with only the
   * suites in {@link TLS12_CIPHER_SUITES}) or "TLSv1.3" to refuse TLS 1.2 altogether.
   */
  minTlsVersion?: MinTlsVersion;
}

export interface CallbackServer {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The longest delay a Node timer can hold; a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The timeouts to use, each checked, so that a typo fails at start-up rather than leaving a client held for ever. */
function serverTimeouts(given: CallbackServerTimeouts = {}): Required<CallbackServerTimeouts> {
  const timeouts = {
    handshakeMs: given.handshakeMs ?? DEFAULT_SERVER_TIMEOUTS.handshakeMs,
    headersMs: given.headersMs ?? DEFAULT_SERVER_TIMEOUTS.headersMs,
    requestMs: given.requestMs ?? DEFAULT_SERVER_TIMEOUTS.requestMs,
    keepAliveMs: given.keepAliveMs ?? DEFAULT_SERVER_TIMEOUTS.keepAliveMs,
  };
  for (const [name, ms] of Object.entries(timeouts)) {
    if (!Number.isInteger(ms) || ms <= 0 || ms > MAX_TIMER_MS) {
      throw new RangeError(`timeouts.${name} must be a whole number of milliseconds from 1 to ${MAX_TIMER_MS}`);
    }
  }
  if (timeouts.headersMs > timeouts.requestMs) {
    throw new RangeError("timeouts.headersMs cannot exceed timeouts.requestMs: the headers are part of the request");
  }
  return timeouts;
}

/** The cipher string: Node's own TLS 1.3 suites, then our TLS 1.2 list. */
function cipherList(): string {
  const tls13 = DEFAULT_CIPHERS.split(":").filter((suite) => suite.startsWith("TLS_"));
  return [...tls13, ...TLS12_CIPHER_SUITES].join(":");
}

/** The subject check; a check that throws refuses the client rather than crashing the server. */
function isAllowed(
  allowed: CallbackServerOptions["allowedClients"],
  certificate: PeerCertificate,
  logger: CallbackServerOptions["logger"],
): boolean {
  if (!allowed) return true;
  if (typeof allowed !== "function") {
    const cn = certificate?.subject?.CN;
    return typeof cn === "string" && allowed.includes(cn);
  }
  try {
    return allowed(certificate) === true;
  } catch (error) {
    logger?.error?.(
      { error: error instanceof Error ? error.name : "unknown" },
      "allowedClients threw; the client is refused",
    );
    return false;
  }
}

export async function createCallbackServer(options: CallbackServerOptions): Promise<CallbackServer> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("@nhs-app-api/callbacks: createCallbackServer needs its options ({ cert, key, ca, ... })");
  }
  const minVersion = options.minTlsVersion ?? "TLSv1.2";
  if (minVersion !== "TLSv1.2" && minVersion !== "TLSv1.3") {
    throw new RangeError('minTlsVersion must be "TLSv1.2" or "TLSv1.3"');
  }
  const timeouts = serverTimeouts(options.timeouts);
  const handle = createNodeHandler(options);
  const allowed = options.allowedClients;
  const server = createServer(
    {
      key: options.key,
      cert: options.cert,
      ca: options.ca,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion,
      ciphers: cipherList(),
      handshakeTimeout: timeouts.handshakeMs,
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      keepAliveTimeout: timeouts.keepAliveMs,
      // Node checks the header and request deadlines on a timer (every 30 s by default), so a stalled
      // client would be held up to that long past its deadline; a quarter of the deadline, at most 1 s.
      connectionsCheckingInterval: Math.max(1, Math.min(1_000, Math.floor(timeouts.headersMs / 4))),
    },
    (request, response) => {
      const certificate = (request.socket as TLSSocket).getPeerCertificate();
      const ok = isAllowed(allowed, certificate, options.logger);
      if (!ok) {
        const body = JSON.stringify(
          toOperationOutcome([issue("security", "The client certificate is not one this endpoint accepts")]),
        );
        response.writeHead(401, { "content-type": "application/fhir+json", "content-length": Buffer.byteLength(body) });
        response.end(body);
        return;
      }
      handle(request, response);
    },
  );
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    server,
    port,
    url: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
