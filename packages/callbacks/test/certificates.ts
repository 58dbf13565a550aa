// Certificates made at test time for the mutual TLS tests: a CA, and server
// and client certificates it signs (RSA 2048, valid for an hour).
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
const algorithm = {
  name: "RSASSA-PKCS1-v1_5",
  hash: "SHA-256",
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};

export interface Issued {
  cert: string;
  key: string;
  raw: x509.X509Certificate;
  keys: webcrypto.CryptoKeyPair;
}

async function pem(keys: webcrypto.CryptoKeyPair) {
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey as webcrypto.CryptoKey);
  return x509.PemConverter.encode(pkcs8, "PRIVATE KEY");
}

/** A self-signed CA certificate (also what a client with a self-signed certificate presents). */
export async function authority(name: string): Promise<Issued> {
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, [
    "sign",
    "verify",
  ])) as unknown as webcrypto.CryptoKeyPair;
  const raw = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3_600_000),
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
    ],
  });
  return { cert: raw.toString("pem"), key: await pem(keys), raw, keys };
}

/** A certificate the CA signs: a server's (for 127.0.0.1) or a client's. */
export async function issue(ca: Issued, name: string, usage: "server" | "client"): Promise<Issued> {
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, [
    "sign",
    "verify",
  ])) as unknown as webcrypto.CryptoKeyPair;
  const raw = await x509.X509CertificateGenerator.create({
    serialNumber: String(Math.floor(Math.random() * 1e9)),
    subject: `CN=${name}`,
    issuer: ca.raw.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3_600_000),
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.ExtendedKeyUsageExtension([
        usage === "server" ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
      ]),
      ...(usage === "server" ? [new x509.SubjectAlternativeNameExtension([{ type: "ip", value: "127.0.0.1" }])] : []),
    ],
  });
  return { cert: raw.toString("pem"), key: await pem(keys), raw, keys };
}
