// Certificates for a local trial of mutual TLS: a test CA, a server
// certificate for 127.0.0.1 and localhost, and a client certificate, all
// RSA 2048 with SHA-256 (what TLS stacks everywhere accept), made with
// @peculiar/x509 on Node's WebCrypto. Also a self-signed client certificate
// that no CA vouches for, which `callbacks check` offers to prove an endpoint
// refuses strangers. None of this is for production.
import { webcrypto } from "node:crypto";
import type * as X509 from "@peculiar/x509";

let loaded: Promise<typeof X509> | undefined;
/** @peculiar/x509 is loaded on first use: only the callbacks commands need it, and it is slow to load. */
const library = () =>
  (loaded ??= import("@peculiar/x509").then((x509) => {
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
    return x509;
  }));

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const RSA = {
  name: "RSASSA-PKCS1-v1_5",
  hash: "SHA-256",
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};

export interface PemPair {
  cert: string;
  key: string;
}

export interface TestCertificates {
  ca: string;
  server: PemPair;
  client: PemPair;
}

const newKeys = () => webcrypto.subtle.generateKey(RSA, true, ["sign", "verify"]) as Promise<CryptoKeyPair>;

async function pemOf(x509: typeof X509, key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey("pkcs8", key), "PRIVATE KEY");
}

/** From a minute ago (a little clock skew) for `days` days. */
function validity(days: number) {
  const notBefore = new Date(Date.now() - 60_000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + days * 86_400_000) };
}

const serial = () =>
  Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString("hex")
    .replace(/^[89a-f]/, "1");

async function leaf(
  x509: typeof X509,
  ca: { cert: X509.X509Certificate; keys: CryptoKeyPair },
  subject: string,
  usage: "server" | "client",
  days: number,
): Promise<PemPair> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject,
    issuer: ca.cert.subject,
    ...validity(days),
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: RSA,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([
        usage === "server" ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
      ]),
      ...(usage === "server"
        ? [
            new x509.SubjectAlternativeNameExtension([
              { type: "ip", value: "127.0.0.1" },
              { type: "dns", value: "localhost" },
            ]),
          ]
        : []),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
    ],
  });
  return { cert: cert.toString("pem"), key: await pemOf(x509, keys.privateKey) };
}

/** A test CA and the server and client certificates it signs, valid for `days` days. */
export async function createTestCertificates(days = 30): Promise<TestCertificates> {
  const x509 = await library();
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: "CN=nhs-app CLI test CA, O=nhs-app-api local trial",
    ...validity(days),
    keys,
    signingAlgorithm: RSA,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const ca = { cert, keys };
  return {
    ca: cert.toString("pem"),
    server: await leaf(x509, ca, "CN=localhost, O=nhs-app-api local trial", "server", days),
    client: await leaf(x509, ca, "CN=nhs-app callbacks check, O=nhs-app-api local trial", "client", days),
  };
}

/** A client certificate that signs itself: no CA an endpoint trusts vouches for it. */
export async function createStrayClientCertificate(): Promise<PemPair> {
  const x509 = await library();
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: "CN=nhs-app callbacks check stranger",
    ...validity(1),
    keys,
    signingAlgorithm: RSA,
    extensions: [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])],
  });
  return { cert: cert.toString("pem"), key: await pemOf(x509, keys.privateKey) };
}
