// The pieces of `nhs-app callbacks check`, from the source: the grading of a
// negotiated TLS version and suite, how a failed connection is classified,
// the broken-value cases (the contract's word on what is wrong), and the
// reading of the client certificate, key and CA.
import { generateKeyPairSync } from "node:crypto";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { enums, requestBodyIssues } from "@nhs-app-api/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callbackCases } from "../src/lib/callback-cases.ts";
import { judge } from "../src/lib/callback-verdict.ts";
import { readClientTls } from "../src/lib/client-tls-files.ts";
import { CliError } from "../src/lib/errors.ts";
import { classify, OLD_TLS_REASON } from "../src/lib/mtls-post.ts";
import { createTestCertificates, type TestCertificates } from "../src/lib/test-certs.ts";
import { describeTls, gradeTls, type NegotiatedTls } from "../src/lib/tls-grade.ts";

const tls12 = (cipher: string, standardName: string, ephemeralKey: NegotiatedTls["ephemeralKey"] = {}) => ({
  protocol: "TLSv1.2",
  cipher,
  standardName,
  ephemeralKey,
});
const x25519 = { type: "ECDH", name: "X25519", size: 253 };

describe("TLS grade", () => {
  it("passes every TLS 1.3 suite, and TLS 1.2 suites with ECDHE or DHE and AEAD", () => {
    for (const suite of ["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"]) {
      expect(gradeTls({ protocol: "TLSv1.3", cipher: suite, standardName: suite, ephemeralKey: {} })).toEqual({
        pass: true,
        problems: [],
      });
    }
    const good = [
      tls12("ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", x25519),
      tls12("ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", x25519),
      tls12("DHE-RSA-AES256-GCM-SHA384", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", { type: "DH", size: 2048 }),
      tls12("ECDHE-ECDSA-AES128-CCM", "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", x25519),
    ];
    for (const negotiated of good) expect(gradeTls(negotiated)).toEqual({ pass: true, problems: [] });
  });

  it("fails static RSA (no forward secrecy) and CBC with a MAC (no AEAD), saying which", () => {
    expect(gradeTls(tls12("AES128-GCM-SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256"))).toEqual({
      pass: false,
      problems: ["no forward secrecy (static RSA key exchange)"],
    });
    expect(gradeTls(tls12("AES256-SHA", "TLS_RSA_WITH_AES_256_CBC_SHA"))).toEqual({
      pass: false,
      problems: ["no forward secrecy (static RSA key exchange)", "no AEAD (AES_256_CBC with an SHA-1 MAC)"],
    });
    expect(gradeTls(tls12("ECDHE-RSA-AES128-SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", x25519))).toEqual({
      pass: false,
      problems: ["no AEAD (AES_128_CBC with an SHA-1 MAC)"],
    });
    expect(
      gradeTls(tls12("ECDHE-RSA-AES256-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", x25519)).problems,
    ).toEqual(["no AEAD (AES_256_CBC with an SHA-384 MAC)"]);
    // Static ECDH has no ephemeral key either.
    expect(gradeTls(tls12("ECDH-RSA-AES128-GCM-SHA256", "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256")).problems).toEqual([
      "no forward secrecy (ECDH-RSA key exchange)",
    ]);
  });

  it("judges by OpenSSL's name when there is no IANA name", () => {
    expect(gradeTls({ protocol: "TLSv1.2", cipher: "AES128-SHA", ephemeralKey: {} }).problems).toEqual([
      "no forward secrecy (a static key exchange)",
      "no AEAD (AES128-SHA)",
    ]);
    expect(gradeTls({ protocol: "TLSv1.2", cipher: "ECDHE-RSA-AES128-GCM-SHA256", ephemeralKey: x25519 }).pass).toBe(
      true,
    );
  });

  it("fails TLS before 1.2 whatever the suite, and a small Diffie-Hellman group", () => {
    for (const protocol of ["TLSv1", "TLSv1.1", "SSLv3"]) {
      const grade = gradeTls({
        protocol,
        cipher: "ECDHE-RSA-AES256-SHA",
        standardName: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        ephemeralKey: x25519,
      });
      expect(grade).toEqual({
        pass: false,
        problems: [`TLS version too old (the endpoint offers ${protocol} at most; the NHS App needs TLS 1.2 or later)`],
      });
    }
    const weakGroup = tls12("DHE-RSA-AES128-GCM-SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", {
      type: "DH",
      size: 1024,
    });
    expect(gradeTls(weakGroup).problems).toEqual(["a 1024-bit Diffie-Hellman group (at least 2048 bits)"]);
  });

  it("describes what was negotiated in a few words", () => {
    expect(
      describeTls({
        protocol: "TLSv1.3",
        cipher: "TLS_AES_256_GCM_SHA384",
        ephemeralKey: { type: "TLSGroup", name: "X25519MLKEM768" },
      }),
    ).toBe("TLSv1.3 TLS_AES_256_GCM_SHA384 (X25519MLKEM768)");
    expect(describeTls(tls12("AES128-GCM-SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256"))).toBe(
      "TLSv1.2 AES128-GCM-SHA256",
    );
    expect(describeTls(tls12("DHE-RSA-AES128-GCM-SHA256", "x", { type: "DH", size: 2048 }))).toBe(
      "TLSv1.2 DHE-RSA-AES128-GCM-SHA256 (DH 2048 bits)",
    );
  });
});

describe("a failed connection", () => {
  const error = (code: string, message = "") => Object.assign(new Error(message), { code });

  it("is a TLS version too old when OpenSSL says the two sides share no version", () => {
    for (const failed of [
      error("ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION"),
      error("ERR_SSL_UNSUPPORTED_PROTOCOL"),
      error("EPROTO", "error:0A000102:SSL routines::unsupported protocol"),
      error("EPROTO", "SSL routines:ssl3_read_bytes:tlsv1 alert protocol version"),
    ]) {
      expect(classify(failed)).toEqual({ kind: "unusable", code: failed.code, reason: OLD_TLS_REASON });
    }
    expect(OLD_TLS_REASON).toMatch(/^TLS version too old .*the NHS App needs TLS 1\.2 or later\)$/);
  });

  it("is no TLS at all on a wrong version number, and the server closing on an alert or a reset", () => {
    expect(classify(error("ERR_SSL_WRONG_VERSION_NUMBER"))).toMatchObject({
      kind: "unusable",
      reason: expect.stringMatching(/^no TLS 1\.2 or later there/),
    });
    expect(classify(error("ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED"))).toEqual({
      kind: "closed",
      code: "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED",
    });
    expect(classify(error("ECONNRESET"))).toEqual({ kind: "closed", code: "ECONNRESET" });
    expect(classify(error("ECONNREFUSED"))).toMatchObject({ kind: "unusable", reason: "nothing answers there" });
  });

  it("says how long a case waited when nothing came back", () => {
    expect(judge("refused", { kind: "timeout", afterMs: 300 }, "create-realtime-receipt")).toEqual({
      pass: false,
      answered: "no answer within 300 ms",
    });
  });
});

describe("broken values", () => {
  it("are cases for both operations, each refused by the contract, the wrong value sent as it says", async () => {
    const { cases } = await callbackCases();
    const wrong = cases.filter((one) =>
      / with (status|code|another|lastModified|authoredOn|answers|an NHS|recipient)/.test(one.title),
    );
    const titles = wrong.map((one) => one.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'receipt with status "banana"',
        'receipt with code "banana" (no receipt code yet)',
        'receipt with lastModified "yesterday"',
        'receipt with authoredOn "2025-13-45T99:00:00Z"',
        'reply with status "banana"',
        'reply with authoredOn "yesterday"',
        "reply with an NHS number whose check digit is wrong",
      ]),
    );
    for (const one of wrong) {
      expect(requestBodyIssues(one.operation, JSON.parse(one.body)).length, one.title).toBeGreaterThan(0);
    }
    const body = (title: string) => JSON.parse(cases.find((one) => one.title === title)?.body ?? "{}");
    expect(body('receipt with status "banana"').status).toBe("banana");
    expect(body('receipt with lastModified "yesterday"').lastModified).toBe("yesterday");
    const unknownCode = body('receipt with code "banana" (no receipt code yet)').code.coding[0].code;
    expect(enums.receiptCodes).not.toContain(unknownCode);
  });

  it("want a 4xx, except an unknown receipt code, which an endpoint may keep (a code the NHS App adds later)", async () => {
    const { cases } = await callbackCases();
    const find = (title: string) => cases.find((one) => one.title === title)?.expect;
    expect(find('receipt with status "banana"')).toBe("refused");
    expect(find('reply with status "banana"')).toBe("refused");
    expect(find('receipt with code "banana" (no receipt code yet)')).toBe("refused-or-accepted");
    const answered = (status: number) => ({
      kind: "answered" as const,
      status,
      contentType: "application/fhir+json",
      body: Buffer.from(
        JSON.stringify({ resourceType: "OperationOutcome", issue: [{ severity: "error", code: "value" }] }),
      ),
    });
    expect(judge("refused-or-accepted", answered(202), "create-realtime-receipt").pass).toBe(true);
    expect(judge("refused-or-accepted", answered(400), "create-realtime-receipt").pass).toBe(true);
    expect(judge("refused-or-accepted", answered(500), "create-realtime-receipt").pass).toBe(false);
    expect(judge("refused", answered(202), "create-realtime-receipt").pass).toBe(false);
  });
});

describe("the client certificate, key and CA files", () => {
  let dir: string;
  let certs: TestCertificates;
  let other: TestCertificates;
  const file = (name: string) => path.join(dir, name);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "nhs-app-cli-tls-files-"));
    [certs, other] = await Promise.all([createTestCertificates(), createTestCertificates()]);
    const encrypted = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "secret" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    }).privateKey;
    await Promise.all([
      writeFile(file("cert.pem"), certs.client.cert),
      writeFile(file("key.pem"), certs.client.key),
      writeFile(file("ca.pem"), certs.ca),
      writeFile(file("other-key.pem"), other.client.key),
      writeFile(file("encrypted-key.pem"), encrypted),
      writeFile(file("garbage.pem"), "not a PEM file at all\n"),
      writeFile(file("broken-cert.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
      writeFile(file("broken-key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
      writeFile(file("unreadable.pem"), certs.ca, { mode: 0o000 }),
      mkdir(file("a-directory")),
    ]);
    await chmod(file("unreadable.pem"), 0o000);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The usage error readClientTls throws for these files, or "ok". */
  async function verdict(names: { cert?: string; key?: string; ca?: string }): Promise<string> {
    try {
      await readClientTls({
        cert: file(names.cert ?? "cert.pem"),
        key: file(names.key ?? "key.pem"),
        ca: file(names.ca ?? "ca.pem"),
      });
      return "ok";
    } catch (error) {
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(2);
      return (error as CliError).message.replaceAll(`${dir}/`, "");
    }
  }

  it("reads a certificate, its key and a CA", async () => {
    expect(await verdict({})).toBe("ok");
  });

  it("names the file and what is wrong with it: missing, a directory, not PEM, the wrong kind of PEM", async () => {
    expect(await verdict({ cert: "missing.pem" })).toBe("the client certificate file missing.pem does not exist");
    expect(await verdict({ ca: "a-directory" })).toBe("the CA file a-directory is a directory, not a file");
    expect(await verdict({ key: "garbage.pem" })).toBe("the client key file garbage.pem is not a PEM private key");
    expect(await verdict({ cert: "garbage.pem" })).toBe(
      "the client certificate file garbage.pem is not a PEM certificate",
    );
    expect(await verdict({ ca: "broken-cert.pem" })).toBe("the CA file broken-cert.pem is not a PEM certificate");
    expect(await verdict({ key: "cert.pem" })).toBe("the client key file cert.pem is not a PEM private key");
    expect(await verdict({ cert: "key.pem" })).toBe("the client certificate file key.pem is not a PEM certificate");
    expect(await verdict({ ca: "key.pem" })).toBe("the CA file key.pem is not a PEM certificate");
    expect(await verdict({ key: "broken-key.pem" })).toBe(
      "the client key file broken-key.pem is not a PEM private key that can be read",
    );
    expect(await verdict({ key: "encrypted-key.pem" })).toBe(
      "the client key file encrypted-key.pem is encrypted: give the key without a passphrase",
    );
  });

  it("refuses a key that is not the certificate's", async () => {
    expect(await verdict({ key: "other-key.pem" })).toBe(
      `the client key file other-key.pem is not the key of the client certificate ${file("cert.pem")}`.replaceAll(
        `${dir}/`,
        "",
      ),
    );
  });

  it("says a file cannot be read without permission (unless run as root, whom permissions do not stop)", async (context) => {
    if (process.getuid?.() === 0) context.skip("running as root: a file with mode 000 is still readable");
    expect(await verdict({ key: "unreadable.pem" })).toBe(
      "the client key file unreadable.pem cannot be read (permission denied)",
    );
  });

  it("never puts key material in its message", async () => {
    const message = await verdict({ cert: "key.pem" });
    const keyBody = certs.client.key.split("\n")[1] ?? "";
    expect(keyBody.length).toBeGreaterThan(20);
    expect(message).not.toContain(keyBody.slice(0, 20));
  });
});
