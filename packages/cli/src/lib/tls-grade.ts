// Whether the TLS an endpoint negotiated is one a security review would pass:
// TLS 1.2 or later; under TLS 1.2, a suite with forward secrecy (an
// ephemeral ECDHE or DHE key exchange, not static RSA or ECDH) and with AEAD
// encryption (GCM, CCM or ChaCha20-Poly1305, not CBC with a MAC). Every TLS
// 1.3 suite is both. Judged from the suite's IANA name, which says all of it
// (TLS_<key exchange>_WITH_<cipher>_<MAC>), with OpenSSL's name as a fallback.

/** What a TLS socket says was negotiated (`getProtocol()`, `getCipher()`, `getEphemeralKeyInfo()`). */
export interface NegotiatedTls {
  protocol: string;
  /** OpenSSL's name of the suite, e.g. `ECDHE-RSA-AES128-GCM-SHA256`. */
  cipher: string;
  /** The IANA name, e.g. `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`. */
  standardName?: string | undefined;
  /** The ephemeral key of the exchange; empty when there was none (static RSA). */
  ephemeralKey: { type?: string | undefined; name?: string | undefined; size?: number | undefined };
}

export interface TlsGrade {
  pass: boolean;
  /** Each thing wrong, in a few words; empty when it passes. */
  problems: string[];
}

const TOO_OLD = new Set(["SSLv2", "SSLv3", "TLSv1", "TLSv1.1"]);

/** A finite-field Diffie-Hellman group smaller than this is breakable (Logjam; NIST SP 800-57). */
const MIN_DH_BITS = 2048;

/** The one line for an endpoint whose best TLS version is older than 1.2. */
export const tooOldMessage = (protocol: string) =>
  `TLS version too old (the endpoint offers ${protocol} at most; the NHS App needs TLS 1.2 or later)`;

export const isTooOld = (protocol: string) => TOO_OLD.has(protocol);

/** The key exchange part of an IANA suite name (`ECDHE_RSA`, `RSA`), or undefined for TLS 1.3's names. */
function keyExchangeOf(standardName: string): string | undefined {
  return /^TLS_(.+?)_WITH_/.exec(standardName)?.[1];
}

function forwardSecret(tls: NegotiatedTls): boolean {
  const exchange = tls.standardName ? keyExchangeOf(tls.standardName) : undefined;
  if (exchange !== undefined) return /^(ECDHE|DHE)_/.test(exchange);
  return /^(ECDHE|DHE|EDH)-/.test(tls.cipher);
}

function aead(tls: NegotiatedTls): boolean {
  const name = tls.standardName ?? tls.cipher;
  return /GCM|CCM|CHACHA20[_-]POLY1305/.test(name);
}

/** `AES_256_CBC with an SHA-1 MAC`, from `TLS_RSA_WITH_AES_256_CBC_SHA`; OpenSSL's name when the IANA one says nothing. */
function bulkOf(tls: NegotiatedTls): string {
  const match = /_WITH_(.+)_(SHA|SHA256|SHA384|MD5)$/.exec(tls.standardName ?? "");
  if (!match) return tls.cipher;
  const mac = { SHA: "SHA-1", SHA256: "SHA-256", SHA384: "SHA-384", MD5: "MD5" }[match[2] as "SHA"];
  return `${match[1]} with an ${mac} MAC`;
}

export function gradeTls(tls: NegotiatedTls): TlsGrade {
  if (isTooOld(tls.protocol)) return { pass: false, problems: [tooOldMessage(tls.protocol)] };
  const problems: string[] = [];
  // TLS 1.3 has only ephemeral key exchanges and only AEAD suites.
  if (tls.protocol !== "TLSv1.3") {
    if (!forwardSecret(tls)) {
      const exchange = (tls.standardName && keyExchangeOf(tls.standardName)) || "a static";
      problems.push(
        `no forward secrecy (${exchange === "RSA" ? "static RSA" : exchange.replaceAll("_", "-")} key exchange)`,
      );
    }
    if (!aead(tls)) problems.push(`no AEAD (${bulkOf(tls)})`);
  }
  const { type, size } = tls.ephemeralKey;
  if (type === "DH" && size !== undefined && size < MIN_DH_BITS) {
    problems.push(`a ${size}-bit Diffie-Hellman group (at least ${MIN_DH_BITS} bits)`);
  }
  return { pass: problems.length === 0, problems };
}

/** `TLSv1.3 TLS_AES_256_GCM_SHA384 (X25519MLKEM768)`: what was negotiated, in a few words. */
export function describeTls(tls: NegotiatedTls): string {
  const { name, type, size } = tls.ephemeralKey;
  const key = name ?? (type && size ? `${type} ${size} bits` : type);
  return `${tls.protocol} ${tls.cipher}${key ? ` (${key})` : ""}`;
}
