// An HTTPS server for the callbacks that requires mutual TLS: a client
// without a certificate, or with one that the given CA did not sign, cannot
// finish the handshake. Optionally the certificate's subject is checked too
// (a 401, as the callback specs say, when it is not one you expect).
import { createServer, type Server } from "node:https";
import type { PeerCertificate, TLSSocket } from "node:tls";
import { type CallbackHandlerOptions, createNodeHandler } from "./handler.js";
import { issue, toOperationOutcome } from "./issues.js";

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
}

export interface CallbackServer {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
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
    logger?.error?.("allowedClients threw; the client is refused", {
      error: error instanceof Error ? error.name : "unknown",
    });
    return false;
  }
}

export async function createCallbackServer(options: CallbackServerOptions): Promise<CallbackServer> {
  const handle = createNodeHandler(options);
  const allowed = options.allowedClients;
  const server = createServer(
    {
      key: options.key,
      cert: options.cert,
      ca: options.ca,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: "TLSv1.2",
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
