// The client certificate, its key and the CA that `callbacks check` is given,
// read and parsed before any connection: a file that cannot be read, is not
// the PEM it should be, or a key that is not the certificate's, is a usage
// error (exit 2) naming the file and what is wrong, never OpenSSL's text
// and never anything of the key itself.
import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { usageError } from "./errors.js";
import { readBytes } from "./files.js";
import type { ClientTls } from "./mtls-post.js";

export interface ClientTlsPaths {
  cert: string;
  key: string;
  ca: string;
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Every certificate of a PEM file (a CA file may hold several), or undefined when any block does not parse. */
function certificatesOf(pem: Buffer): X509Certificate[] | undefined {
  const blocks = pem.toString("latin1").match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0) return undefined;
  try {
    return blocks.map((block) => new X509Certificate(block));
  } catch {
    return undefined;
  }
}

function privateKeyOf(path: string, what: string, pem: Buffer): KeyObject {
  const text = pem.toString("latin1");
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) throw usageError(`${what} ${path} is not a PEM private key`);
  // PKCS #8's encrypted form, or OpenSSL's traditional one: Node would ask for a passphrase on a terminal.
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
    throw usageError(`${what} ${path} is encrypted: give the key without a passphrase`);
  }
  try {
    return createPrivateKey({ key: pem, format: "pem" });
  } catch {
    throw usageError(`${what} ${path} is not a PEM private key that can be read`);
  }
}

function matches(certificate: X509Certificate, key: KeyObject): boolean {
  try {
    return certificate.checkPrivateKey(key);
  } catch {
    return false; // a key of another type than the certificate's
  }
}

export async function readClientTls(paths: ClientTlsPaths): Promise<Required<ClientTls>> {
  const files = {
    cert: { path: paths.cert, what: "the client certificate file" },
    key: { path: paths.key, what: "the client key file" },
    ca: { path: paths.ca, what: "the CA file" },
  };
  // One after the other, so that the error is always the first file's.
  const cert = await readBytes(files.cert.path, files.cert.what);
  const key = await readBytes(files.key.path, files.key.what);
  const ca = await readBytes(files.ca.path, files.ca.what);
  const clientCertificate = certificatesOf(cert)?.[0];
  if (!clientCertificate) throw usageError(`${files.cert.what} ${paths.cert} is not a PEM certificate`);
  const privateKey = privateKeyOf(paths.key, files.key.what, key);
  if (!matches(clientCertificate, privateKey)) {
    throw usageError(`${files.key.what} ${paths.key} is not the key of the client certificate ${paths.cert}`);
  }
  if (!certificatesOf(ca)) throw usageError(`${files.ca.what} ${paths.ca} is not a PEM certificate`);
  return { cert, key, ca };
}
