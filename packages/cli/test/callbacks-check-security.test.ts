// `nhs-app callbacks check` against endpoints a security review would fail,
// each a real node:https server on 127.0.0.1 with mutual TLS: one that
// chooses a suite without forward secrecy, one that chooses CBC (no AEAD),
// one that speaks only TLS 1.0 or 1.1, one that accepts the connection and
// never answers, one that checks fields are there but not their values; and
// certificate, key and CA files that are not what they should be.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServerOptions } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { connect } from "node:tls";
import { createNodeHandler } from "@nhs-app-api/callbacks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCertificates, type TestCertificates } from "../src/lib/test-certs.ts";
import { ensureBuilt, isOneErrorLine, type Run, runCli } from "./support/cli.ts";
import { closeHttps, listenHttps } from "./support/https-endpoint.ts";

let dir: string;
let certs: TestCertificates;
const file = (name: string) => path.join(dir, name);
const clientFlags = (overrides: { cert?: string; key?: string; ca?: string } = {}) => [
  "--cert",
  overrides.cert ?? file("client-cert.pem"),
  "--key",
  overrides.key ?? file("client-key.pem"),
  "--ca",
  overrides.ca ?? file("ca.pem"),
];

/** Mutual TLS as a careful endpoint sets it up: only clients with a certificate the CA signed. */
const mutualTls = (): ServerOptions => ({
  key: certs.server.key,
  cert: certs.server.cert,
  ca: certs.ca,
  requestCert: true,
  rejectUnauthorized: true,
});
const accept = createNodeHandler({ onReceipt: async () => undefined, onReply: async () => undefined });

const listen = (options: ServerOptions, handler: Parameters<typeof listenHttps>[1] = accept) =>
  listenHttps(options, handler);
const close = closeHttps;

interface Report {
  tls: { protocol: string; cipher: string; standardName: string | null; problems: string[] } | null;
  passed: number;
  failed: number;
  cases: { case: string; expected: string; answered: string; pass: boolean }[];
}
const TLS_CASE = "TLS version and cipher suite";
const PROGRESS_LINE = /^\[(\d+)\/(\d+)\] .+ … .+: (pass|FAIL)$/;

const check = (url: string, extra: string[] = [], timeoutMs = 30_000) =>
  runCli(["callbacks", "check", url, ...clientFlags(), ...extra], {}, timeoutMs);
const reportOf = (run: Run) => JSON.parse(run.stdout) as Report;
/** stderr without the progress lines: what is left must be the one error line. */
const errorsOf = (run: Run) =>
  run.stderr
    .split("\n")
    .filter((line) => line !== "" && !PROGRESS_LINE.test(line))
    .join("\n");

beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), "nhs-app-cli-check-security-"));
  certs = await createTestCertificates();
  await Promise.all([
    writeFile(file("ca.pem"), certs.ca),
    writeFile(file("client-cert.pem"), certs.client.cert),
    writeFile(file("client-key.pem"), certs.client.key, { mode: 0o600 }),
  ]);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("weak TLS", () => {
  it("passes an endpoint on TLS 1.3, and reports the protocol and suite in the table and in --json", async () => {
    const { url, server } = await listen(mutualTls());
    try {
      const [table, json] = await Promise.all([check(url), check(url, ["--json"])]);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(
        /^TLS version and cipher suite +TLS 1\.2\+, forward secrecy, AEAD +TLSv1\.3 TLS_\w+.* pass$/m,
      );
      expect(json.code).toBe(0);
      const report = reportOf(json);
      expect(report.tls).toMatchObject({ protocol: "TLSv1.3", problems: [] });
      expect(report.tls?.cipher).toMatch(/^TLS_(AES_\d+_GCM|CHACHA20_POLY1305)_SHA\d+$/);
      expect(report.failed).toBe(0);
    } finally {
      await close(server);
    }
  });

  it("fails an endpoint that chooses a TLS 1.2 suite without forward secrecy (static RSA), and only that case", async () => {
    const { url, server } = await listen({ ...mutualTls(), maxVersion: "TLSv1.2", ciphers: "AES128-GCM-SHA256" });
    try {
      const [table, json] = await Promise.all([check(url), check(url, ["--json"])]);
      expect(json.code).toBe(1);
      const report = reportOf(json);
      expect(report.tls).toEqual({
        protocol: "TLSv1.2",
        cipher: "AES128-GCM-SHA256",
        standardName: "TLS_RSA_WITH_AES_128_GCM_SHA256",
        ephemeralKey: null,
        problems: ["no forward secrecy (static RSA key exchange)"],
      });
      expect(report.cases.filter((row) => !row.pass)).toEqual([
        {
          case: TLS_CASE,
          expected: "TLS 1.2+, forward secrecy, AEAD",
          answered: "TLSv1.2 AES128-GCM-SHA256: no forward secrecy (static RSA key exchange)",
          pass: false,
        },
      ]);
      expect(table.code).toBe(1);
      expect(table.stdout).toMatch(/^TLS version and cipher suite .* AES128-GCM-SHA256: no forward secrecy .* FAIL$/m);
      expect(isOneErrorLine(errorsOf(table))).toBe(true);
    } finally {
      await close(server);
    }
  });

  it("fails an endpoint that chooses a CBC suite (no AEAD), even with forward secrecy", async () => {
    const { url, server } = await listen({ ...mutualTls(), maxVersion: "TLSv1.2", ciphers: "ECDHE-RSA-AES128-SHA" });
    try {
      const run = await check(url, ["--json"]);
      expect(run.code).toBe(1);
      const report = reportOf(run);
      expect(report.tls).toMatchObject({
        protocol: "TLSv1.2",
        cipher: "ECDHE-RSA-AES128-SHA",
        problems: ["no AEAD (AES_128_CBC with an SHA-1 MAC)"],
      });
      expect(report.cases.filter((row) => !row.pass).map((row) => row.case)).toEqual([TLS_CASE]);
    } finally {
      await close(server);
    }
  });
});

/** Whether this Node's OpenSSL will serve and speak `version` at all (a build may leave TLS 1.0 out). */
async function speaks(url: string, version: "TLSv1" | "TLSv1.1"): Promise<boolean> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(
      {
        host: "127.0.0.1",
        port: Number(port),
        ca: certs.ca,
        cert: certs.client.cert,
        key: certs.client.key,
        minVersion: version,
        maxVersion: version,
        ciphers: "DEFAULT@SECLEVEL=0",
      },
      () => {
        resolve(socket.getProtocol() === version);
        socket.destroy();
      },
    );
    socket.on("error", () => resolve(false));
  });
}

describe("TLS older than 1.2", () => {
  for (const version of ["TLSv1", "TLSv1.1"] as const) {
    it(`stops with one line saying the TLS version is too old when the endpoint speaks only ${version}`, async (context) => {
      // Node 24's OpenSSL serves TLS 1.0 and 1.1 only at security level 0.
      const { url, server } = await listen({
        ...mutualTls(),
        minVersion: version,
        maxVersion: version,
        ciphers: "DEFAULT@SECLEVEL=0",
      });
      try {
        if (!(await speaks(url, version))) {
          context.skip(`this Node's OpenSSL cannot serve ${version}, so no such endpoint can be made here`);
        }
        const run = await check(url, ["--json"]);
        expect(run.code).toBe(1);
        expect(run.stdout).toBe("");
        expect(isOneErrorLine(run.stderr)).toBe(true);
        expect(run.stderr).toBe(
          `nhs-app: cannot use ${url}: TLS version too old (the endpoint offers ${version} at most; the NHS App needs TLS 1.2 or later)\n`,
        );
        expect(run.stderr).not.toContain("EPROTO");
      } finally {
        await close(server);
      }
    });
  }
});

describe("an endpoint that never answers", () => {
  it("costs at most the timeout a case: every case says so, the TLS ones still judged, progress on stderr", async () => {
    // The TLS handshake completes (client certificates checked); the HTTP request is read and never answered.
    const { url, server } = await listen(mutualTls(), (request) => request.resume());
    try {
      const run = await check(url, ["--json", "--timeout", "300"], 120_000);
      expect(run.code).toBe(1);
      const report = reportOf(run);
      const http = report.cases.filter((row) => row.case !== TLS_CASE && !/client certificate$/.test(row.case));
      expect(http.length).toBeGreaterThan(30);
      for (const row of http) expect(row).toMatchObject({ answered: "no answer within 300 ms", pass: false });
      expect(report.cases.find((row) => row.case === TLS_CASE)?.pass).toBe(true);
      // It refuses clients without an acceptable certificate during the handshake: those pass.
      expect(report.cases.filter((row) => /client certificate$/.test(row.case)).every((row) => row.pass)).toBe(true);

      const lines = run.stderr.split("\n").filter((line) => line !== "");
      const progress = lines.filter((line) => PROGRESS_LINE.test(line));
      expect(progress).toHaveLength(report.cases.length);
      expect(progress[0]).toMatch(new RegExp(`^\\[1/${report.cases.length}\\] ${TLS_CASE} … TLSv1\\.3 .*: pass$`));
      expect(progress[1]).toMatch(
        new RegExp(`^\\[2/${report.cases.length}\\] example receipt-\\S+ … no answer within 300 ms: FAIL$`),
      );
      expect(lines.at(-1)).toMatch(/^nhs-app: https:\/\/127\.0\.0\.1:\d+: \d+ of \d+ cases did not get the answer/);
      expect(lines).toHaveLength(progress.length + 1);
    } finally {
      await close(server);
    }
  });

  it("defaults to 5000 ms a case", async () => {
    const help = await runCli(["callbacks", "check", "--help"]);
    expect(help.stdout).toMatch(/--timeout <ms>\s+time allowed for each case[^(]*\(default:\s+5000\)/);
  });
});

describe("wrong values", () => {
  it("fails an endpoint that checks that the fields are there but not what they hold", async () => {
    const { receiptExamples, replyExamples } = await import("@nhs-app-api/testing");
    const wanted: Record<string, { resourceType: string; fields: string[] }> = {};
    // The fields every example of an operation has.
    for (const examples of [receiptExamples(), replyExamples()]) {
      const first = examples[0];
      if (!first) throw new Error("the spec has no examples");
      const fields = Object.keys(first.body).filter((field) => examples.every(({ body }) => field in body));
      wanted[first.path] = { resourceType: first.body.resourceType, fields };
    }
    const outcome = JSON.stringify({
      resourceType: "OperationOutcome",
      issue: [{ severity: "error", code: "required", diagnostics: "A field is missing" }],
    });
    // Refuses bodies that are not JSON, or lack a field of the first example; takes any value.
    const fieldsOnly = (request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const shape = wanted[request.url ?? ""];
        let body: Record<string, unknown> | undefined;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
        } catch {
          body = undefined;
        }
        const complete =
          shape &&
          body &&
          /json/.test(request.headers["content-type"] ?? "") &&
          body.resourceType === shape.resourceType &&
          shape.fields.every((field) => field in body);
        if (complete) response.writeHead(202).end();
        else response.writeHead(400, { "content-type": "application/fhir+json" }).end(outcome);
      });
    };
    const { url, server } = await listen(mutualTls(), fieldsOnly);
    try {
      const run = await check(url, ["--json"]);
      expect(run.code).toBe(1);
      const report = reportOf(run);
      const failed = report.cases.filter((row) => !row.pass);
      expect(failed.map((row) => row.case)).toEqual(
        expect.arrayContaining([
          'receipt with status "banana"',
          'receipt with lastModified "yesterday"',
          'receipt with authoredOn "2025-13-45T99:00:00Z"',
          'reply with status "banana"',
          'reply with authoredOn "yesterday"',
          "reply with an NHS number whose check digit is wrong",
        ]),
      );
      // Each a wrong value, answered 202; the missing fields it does catch pass.
      for (const row of failed) {
        expect(row.case).toMatch(/^(receipt|reply) with (?!resourceType)/);
        expect(row).toMatchObject({ expected: "4xx OperationOutcome", answered: "202" });
      }
      expect(report.cases.filter((row) => / without /.test(row.case)).every((row) => row.pass)).toBe(true);
      // A receipt code the NHS App may add later may be kept.
      expect(report.cases.find((row) => row.case === 'receipt with code "banana" (no receipt code yet)')).toMatchObject(
        { expected: "4xx OperationOutcome, or 202", answered: "202", pass: true },
      );
    } finally {
      await close(server);
    }
  });
});

describe("certificate, key and CA files", () => {
  it("are a usage error naming the file, before any connection, never OpenSSL's text", async () => {
    await Promise.all([
      writeFile(file("garbage.pem"), "garbage\n"),
      writeFile(file("other-key.pem"), (await createTestCertificates()).client.key),
    ]);
    // Nothing listens at port 1: a check that got as far as connecting would say so, with exit 1.
    const url = "https://127.0.0.1:1";
    const cases: [string[], string][] = [
      [
        clientFlags({ key: file("garbage.pem") }),
        `the client key file ${file("garbage.pem")} is not a PEM private key`,
      ],
      [
        clientFlags({ key: file("client-cert.pem") }),
        `the client key file ${file("client-cert.pem")} is not a PEM private key`,
      ],
      [
        clientFlags({ cert: file("client-key.pem") }),
        `the client certificate file ${file("client-key.pem")} is not a PEM certificate`,
      ],
      [
        clientFlags({ key: file("other-key.pem") }),
        `the client key file ${file("other-key.pem")} is not the key of the client certificate ${file("client-cert.pem")}`,
      ],
      [clientFlags({ ca: dir }), `the CA file ${dir} is a directory, not a file`],
      [clientFlags({ ca: file("garbage.pem") }), `the CA file ${file("garbage.pem")} is not a PEM certificate`],
    ];
    const runs = await Promise.all(cases.map(([flags]) => runCli(["callbacks", "check", url, ...flags])));
    for (const [index, run] of runs.entries()) {
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toBe(`nhs-app: ${cases[index]?.[1]}\n`);
      expect(run.stderr).not.toMatch(/BEGIN|routines|PRIVATE KEY-----/);
    }
  });
});
