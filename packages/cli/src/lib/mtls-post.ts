// One POST over HTTPS with (or deliberately without) a client certificate,
// on a fresh connection, that never throws: it says whether the endpoint
// answered, closed the connection on us (how an endpoint refuses a client
// certificate during or right after the handshake), or could not be used at
// all (nothing listening, a server certificate the given CA did not sign, or
// a TLS version older than the NHS App speaks).
import { request } from "node:https";

export interface ClientTls {
  ca: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export type Outcome =
  | { kind: "answered"; status: number; contentType: string | undefined; body: Buffer }
  | { kind: "closed"; code: string }
  | { kind: "unusable"; code: string; reason: string }
  | { kind: "timeout"; afterMs: number };

/** Answers larger than this are cut: an OperationOutcome is small. */
const MAX_ANSWER_BYTES = 1024 * 1024;

const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "EADDRNOTAVAIL"]);

/** OpenSSL's ways of saying the two sides share no TLS version: we offer 1.2 and 1.3, so the endpoint's is older. */
const OLD_VERSION_CODES = new Set([
  "ERR_SSL_UNSUPPORTED_PROTOCOL",
  "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION",
  "ERR_SSL_NO_PROTOCOLS_AVAILABLE",
]);
const OLD_VERSION_TEXT = /unsupported protocol|tlsv1 alert protocol version|no protocols available/i;

export const OLD_TLS_REASON =
  "TLS version too old (the endpoint offers only versions before TLS 1.2; the NHS App needs TLS 1.2 or later)";

/**
 * Our own verdict on the server's certificate (OpenSSL's verify codes, and
 * Node's host name check) makes the endpoint unusable, as does a TLS version
 * we cannot share; an alert the server sent (`..._ALERT_...`), a reset or a
 * hang-up is the server closing on us.
 */
export function classify(error: NodeJS.ErrnoException): Outcome {
  const code = error.code ?? "UNKNOWN";
  if (UNREACHABLE.has(code)) return { kind: "unusable", code, reason: "nothing answers there" };
  if (OLD_VERSION_CODES.has(code) || (code === "EPROTO" && OLD_VERSION_TEXT.test(error.message))) {
    return { kind: "unusable", code, reason: OLD_TLS_REASON };
  }
  // What OpenSSL says when the first bytes back are no TLS record it reads: plain HTTP, most likely.
  if (code === "ERR_SSL_WRONG_VERSION_NUMBER" || (code === "EPROTO" && /wrong version number/i.test(error.message))) {
    return {
      kind: "unusable",
      code,
      reason:
        "no TLS 1.2 or later there (the answer is not TLS the NHS App speaks: plain HTTP, or a TLS version too old)",
    };
  }
  if (!code.includes("ALERT") && /CERT|UNABLE_TO|SELF_SIGNED/.test(code)) {
    return { kind: "unusable", code, reason: "its certificate is not one the given CA signed for that host" };
  }
  return { kind: "closed", code };
}

export function post(
  url: URL,
  message: { contentType: string; body: string },
  tls: ClientTls,
  timeoutMs: number,
): Promise<Outcome> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = request(
      url,
      {
        method: "POST",
        agent: false,
        ca: tls.ca,
        ...(tls.cert ? { cert: tls.cert } : {}),
        ...(tls.key ? { key: tls.key } : {}),
        headers: { "content-type": message.contentType, "content-length": Buffer.byteLength(message.body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          if (size < MAX_ANSWER_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        response.on("end", () =>
          settle({
            kind: "answered",
            status: response.statusCode ?? 0,
            contentType: response.headers["content-type"],
            body: Buffer.concat(chunks),
          }),
        );
        response.on("error", (error: NodeJS.ErrnoException) => settle(classify(error)));
      },
    );
    // The whole exchange, handshake to last byte, within the time allowed.
    const timer = setTimeout(() => {
      settle({ kind: "timeout", afterMs: timeoutMs });
      req.destroy();
    }, timeoutMs);
    req.on("error", (error: NodeJS.ErrnoException) => settle(classify(error)));
    req.end(message.body);
  });
}
