// `nhs-app callbacks certs` and `callbacks check` end to end: certificates
// made by the CLI, the project's own callback server over mutual TLS (which
// must pass), and deliberately broken endpoints (which must fail).
import { readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type CallbackServer, createCallbackServer, createNodeHandler } from "@nhs-app-api/callbacks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, isOneErrorLine, runCli } from "./support/cli.ts";
import { closeHttps, listenHttps } from "./support/https-endpoint.ts";

let dir: string;
let otherDir: string;
const pem = (name: string, from = dir) => readFileSync(path.join(from, name));
const clientFlags = () => [
  "--cert",
  path.join(dir, "client-cert.pem"),
  "--key",
  path.join(dir, "client-key.pem"),
  "--ca",
  path.join(dir, "ca.pem"),
];

const accept = { onReceipt: async () => undefined, onReply: async () => undefined };

const listen = listenHttps;
const close = closeHttps;

interface Row {
  case: string;
  expected: string;
  answered: string;
  pass: boolean;
}
/** A line of the check's progress on stderr: `[3/46] receipt without status … 400 OperationOutcome (required): pass`. */
const PROGRESS_LINE = /^\[\d+\/\d+\] .+ … .+: (pass|FAIL)$/;
const withoutProgress = (stderr: string) =>
  stderr
    .split("\n")
    .filter((line) => !PROGRESS_LINE.test(line))
    .join("\n");

const checkJson = async (url: string) => {
  const run = await runCli(["callbacks", "check", url, ...clientFlags(), "--json"]);
  return { run, result: JSON.parse(run.stdout) as { passed: number; failed: number; cases: Row[] } };
};

beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), "nhs-app-cli-certs-"));
  otherDir = await mkdtemp(path.join(tmpdir(), "nhs-app-cli-other-certs-"));
  const [made, other] = await Promise.all([
    runCli(["callbacks", "certs", "--out", dir]),
    runCli(["callbacks", "certs", "--out", otherDir]),
  ]);
  expect(made.code).toBe(0);
  expect(other.code).toBe(0);
});
afterAll(async () => {
  for (const folder of [dir, otherDir]) if (folder) await rm(folder, { recursive: true, force: true });
});

describe("nhs-app callbacks certs", () => {
  it("writes a CA, a server and a client certificate, keys private, and refuses to overwrite them", async () => {
    for (const name of ["ca.pem", "server-cert.pem", "client-cert.pem"]) {
      expect(pem(name).toString()).toMatch(/^-----BEGIN CERTIFICATE-----/);
    }
    for (const name of ["server-key.pem", "client-key.pem"]) {
      expect(pem(name).toString()).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      expect(statSync(path.join(dir, name)).mode & 0o777).toBe(0o600);
    }
    const again = await runCli(["callbacks", "certs", "--out", dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(
      `nhs-app: ${path.join(dir, "ca.pem")} exists: choose another --out, or give --force to replace it\n`,
    );
  });
});

describe("nhs-app callbacks check", () => {
  let good: CallbackServer;
  beforeAll(async () => {
    good = await createCallbackServer({
      key: pem("server-key.pem"),
      cert: pem("server-cert.pem"),
      ca: pem("ca.pem"),
      ...accept,
    });
  });
  afterAll(async () => {
    await good?.close();
  });

  it("passes the project's own callback server over mutual TLS, with the command line certs printed", async () => {
    const made = await runCli(["callbacks", "certs", "--out", dir, "--force"]);
    const printed = /nhs-app (callbacks check https:\/\/127\.0\.0\.1:8443 .*)$/m.exec(made.stdout)?.[1];
    expect(printed).toBeDefined();
    // The certificates were just replaced: the server must be given the new ones.
    await good.close();
    good = await createCallbackServer({
      key: pem("server-key.pem"),
      cert: pem("server-cert.pem"),
      ca: pem("ca.pem"),
      ...accept,
    });
    const args = (printed ?? "").replace("https://127.0.0.1:8443", good.url).split(" ");
    const run = await runCli(args);
    expect(run.code).toBe(0);
    const summary = /^(\d+) cases: (\d+) passed, 0 failed$/m.exec(run.stdout);
    expect(summary?.[1]).toBe(summary?.[2]);
    // stderr has the progress, a line a case, and nothing else.
    const progress = run.stderr.split("\n").filter((line) => line !== "");
    expect(progress).toHaveLength(Number(summary?.[1]));
    for (const line of progress) expect(line).toMatch(PROGRESS_LINE);
    expect(run.stderr).not.toContain("FAIL");
    expect(run.stdout).toMatch(/^example receipt-delivered +202 +202 +pass$/m);
    expect(run.stdout).toMatch(/^reply without basedOn +4xx OperationOutcome +400 OperationOutcome \(\w+\) +pass$/m);
    expect(run.stdout).toMatch(/^no client certificate +TLS refused, or 401 +TLS refused \(\S+\) +pass$/m);
    expect(run.stdout).not.toContain("FAIL");
  });

  it("fails an endpoint that answers 202 to everything and asks for no client certificate", async () => {
    const { url, server } = await listen(
      { key: pem("server-key.pem"), cert: pem("server-cert.pem") },
      (request, response) => {
        request.resume();
        request.on("end", () => response.writeHead(202).end());
      },
    );
    try {
      const { run, result } = await checkJson(url);
      expect(run.code).toBe(1);
      expect(isOneErrorLine(withoutProgress(run.stderr))).toBe(true);
      const failed = result.cases.filter((row) => !row.pass);
      // Every body it should have refused, and both client certificate cases, fail; the valid examples
      // pass, as do its TLS (Node's defaults) and an unknown receipt code, which an endpoint may keep.
      const mustRefuse = (row: Row) =>
        row.expected === "4xx OperationOutcome" || row.expected === "TLS refused, or 401";
      expect(failed).toEqual(result.cases.filter(mustRefuse));
      expect(failed.length).toBeGreaterThan(30);
      expect(result.cases.filter((row) => !mustRefuse(row)).every((row) => row.pass)).toBe(true);
      expect(result.cases.find((row) => row.case === "no client certificate")?.answered).toBe("202");
      expect(result.failed).toBe(failed.length);
    } finally {
      await close(server);
    }
  });

  it("fails an endpoint whose OperationOutcome the callback spec does not allow (an issue code outside FHIR's)", async () => {
    const outcome = JSON.stringify({
      resourceType: "OperationOutcome",
      issue: [{ severity: "error", code: "bad-request", diagnostics: "No" }],
    });
    const { url, server } = await listen(
      {
        key: pem("server-key.pem"),
        cert: pem("server-cert.pem"),
        ca: pem("ca.pem"),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (request, response) => {
        request.resume();
        request.on("end", () => response.writeHead(400, { "content-type": "application/fhir+json" }).end(outcome));
      },
    );
    try {
      const { run, result } = await checkJson(url);
      expect(run.code).toBe(1);
      const refusals = result.cases.filter((row) => row.expected === "4xx OperationOutcome");
      expect(refusals.length).toBeGreaterThan(0);
      for (const row of refusals) {
        expect(row).toMatchObject({
          pass: false,
          answered: "400 with an OperationOutcome the callback spec does not allow at issue[0].code",
        });
      }
    } finally {
      await close(server);
    }
  });

  it("fails an endpoint that refuses valid receipts", async () => {
    const refusing = await createCallbackServer({
      key: pem("server-key.pem"),
      cert: pem("server-cert.pem"),
      ca: pem("ca.pem"),
      onReceipt: async () => {
        throw new Error("database down");
      },
      onReply: async () => undefined,
    });
    try {
      const { run, result } = await checkJson(refusing.url);
      expect(run.code).toBe(1);
      const failed = result.cases.filter((row) => !row.pass);
      expect(failed.length).toBeGreaterThan(0);
      // Every receipt it took, the unknown code (which it may keep, but not fail on) among them.
      expect(failed.map((row) => row.case)).toContain('receipt with code "banana" (no receipt code yet)');
      expect(
        failed.every((row) => /^example receipt-|^receipt with code/.test(row.case) && row.answered === "500"),
      ).toBe(true);
    } finally {
      await refusing.close();
    }
  });

  it("fails an endpoint that asks for a client certificate but lets any through", async () => {
    const { url, server } = await listen(
      {
        key: pem("server-key.pem"),
        cert: pem("server-cert.pem"),
        ca: pem("ca.pem"),
        requestCert: true,
        rejectUnauthorized: false,
      },
      createNodeHandler(accept),
    );
    try {
      const { run, result } = await checkJson(url);
      expect(run.code).toBe(1);
      expect(result.cases.filter((row) => !row.pass).map((row) => row.case)).toEqual([
        "no client certificate",
        "a self-signed client certificate",
      ]);
    } finally {
      await close(server);
    }
  });

  it("stops with one line when nothing listens, or the server's certificate is not the CA's", async () => {
    const { url, server } = await listen(
      { key: pem("server-key.pem", otherDir), cert: pem("server-cert.pem", otherDir) },
      (_q, r) => r.writeHead(202).end(),
    );
    const untrusted = await runCli(["callbacks", "check", url, ...clientFlags()]);
    await close(server);
    const nobody = await runCli(["callbacks", "check", url, ...clientFlags()]);
    for (const [run, says] of [
      [untrusted, "its certificate is not one the given CA signed for that host"],
      [nobody, "nothing answers there (ECONNREFUSED)"],
    ] as const) {
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("");
      expect(isOneErrorLine(run.stderr)).toBe(true);
      expect(run.stderr).toContain(says);
    }
  });
});
