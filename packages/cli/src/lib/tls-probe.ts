// One TLS handshake with the endpoint, to see what it chooses: we offer every
// version from TLS 1.0 and every suite OpenSSL has (weak ones too, at
// security level 0), so that an endpoint that prefers a weak suite, or speaks
// nothing newer than TLS 1.0, shows it instead of failing the handshake.
// Nothing is sent over the connection; the client certificate is presented
// (an mTLS endpoint may close on a client without one before choosing).
import { connect, DEFAULT_CIPHERS } from "node:tls";
import { type ClientTls, classify, type Outcome } from "./mtls-post.js";
import type { NegotiatedTls } from "./tls-grade.js";

export type ProbeOutcome = { kind: "negotiated"; tls: NegotiatedTls } | Exclude<Outcome, { kind: "answered" }>;

/** Node's own suites first, then all the rest but the unauthenticated and the unencrypted. */
const EVERY_SUITE = `${DEFAULT_CIPHERS}:ALL:!aNULL:!eNULL:@SECLEVEL=0`;

export function probeTls(url: URL, tls: ClientTls, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const socket = connect(
      {
        host: url.hostname.replace(/^\[|\]$/g, ""),
        port: Number(url.port || 443),
        ca: tls.ca,
        ...(tls.cert ? { cert: tls.cert } : {}),
        ...(tls.key ? { key: tls.key } : {}),
        minVersion: "TLSv1",
        ciphers: EVERY_SUITE,
      },
      () => {
        const cipher = socket.getCipher();
        settle({
          kind: "negotiated",
          tls: {
            protocol: socket.getProtocol() ?? "unknown",
            cipher: cipher.name,
            standardName: cipher.standardName,
            ephemeralKey: socket.getEphemeralKeyInfo() ?? {},
          },
        });
      },
    );
    const timer = setTimeout(() => settle({ kind: "timeout", afterMs: timeoutMs }), timeoutMs);
    socket.on("error", (error: NodeJS.ErrnoException) => {
      const outcome = classify(error);
      if (outcome.kind !== "answered") settle(outcome);
    });
  });
}
