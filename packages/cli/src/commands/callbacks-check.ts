// `nhs-app callbacks check <url>`: plays the NHS App against a supplier's
// callback endpoint over mutual TLS. It sends every receipt and reply
// example of the callback specs and broken copies of them, and tries to
// connect without an acceptable client certificate; then prints, case by
// case, what the endpoint answered against what the contract requires.
import type { Command } from "commander";
import { callbackCases } from "../lib/callback-cases.js";
import { EXPECTED_WORDS, type Expected, judge, type Verdict } from "../lib/callback-verdict.js";
import { failure, usageError } from "../lib/errors.js";
import { readBytes } from "../lib/files.js";
import { type ClientTls, post } from "../lib/mtls-post.js";
import { out } from "../lib/output.js";
import { milliseconds } from "../lib/parsers.js";
import { table } from "../lib/table.js";
import { createStrayClientCertificate } from "../lib/test-certs.js";

interface CheckFlags {
  cert: string;
  key: string;
  ca: string;
  timeout: number;
  json?: boolean;
}

interface Result extends Verdict {
  title: string;
  expected: Expected;
}

/** The endpoint's base URL, which the operations' paths are appended to. */
function baseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usageError(`${text} is not a URL: give the callback base URL, e.g. https://127.0.0.1:8443`);
  }
  if (url.protocol !== "https:") throw usageError(`the callback URL must be https (mutual TLS), not ${url.protocol}`);
  if (url.search || url.hash) throw usageError("the callback URL must have no query or fragment");
  return url;
}

const join = (base: URL, path: string) => new URL(`${base.pathname.replace(/\/+$/, "")}${path}`, base);

async function check(urlText: string, flags: CheckFlags) {
  const base = baseUrl(urlText);
  const tls: ClientTls = {
    cert: await readBytes(flags.cert, "the client certificate file"),
    key: await readBytes(flags.key, "the client key file"),
    ca: await readBytes(flags.ca, "the CA file"),
  };
  const { cases, validReceipt } = await callbackCases();
  const results: Result[] = [];
  for (const [index, httpCase] of cases.entries()) {
    const outcome = await post(join(base, httpCase.path), httpCase, tls, flags.timeout);
    // An endpoint that cannot be reached, or whose certificate is not trusted, makes every case moot.
    if (index === 0 && outcome.kind === "unusable") {
      throw failure(`cannot use ${base.origin}: ${outcome.reason} (${outcome.code})`);
    }
    results.push({
      title: httpCase.title,
      expected: httpCase.expect,
      ...judge(httpCase.expect, outcome, httpCase.operation),
    });
  }
  const message = { contentType: "application/json", body: validReceipt.body };
  const url = join(base, validReceipt.path);
  const noCertificate = await post(url, message, { ca: tls.ca }, flags.timeout);
  results.push({
    title: "no client certificate",
    expected: "tls-refused",
    ...judge("tls-refused", noCertificate, validReceipt.operation),
  });
  const stranger = await createStrayClientCertificate();
  const strange = await post(
    url,
    message,
    { ca: tls.ca, cert: Buffer.from(stranger.cert), key: Buffer.from(stranger.key) },
    flags.timeout,
  );
  results.push({
    title: "a self-signed client certificate",
    expected: "tls-refused",
    ...judge("tls-refused", strange, validReceipt.operation),
  });

  const failed = results.filter((result) => !result.pass).length;
  if (flags.json) {
    const cases = results.map(({ title, expected, answered, pass }) => ({
      case: title,
      expected: EXPECTED_WORDS[expected],
      answered,
      pass,
    }));
    await out(`${JSON.stringify({ url: base.href, passed: results.length - failed, failed, cases }, null, 2)}\n`);
  } else {
    const rows = results.map((r) => [r.title, EXPECTED_WORDS[r.expected], r.answered, r.pass ? "pass" : "FAIL"]);
    await out(table(["case", "expected", "answered", "result"], rows));
    await out(`\n${results.length} cases: ${results.length - failed} passed, ${failed} failed\n`);
  }
  if (failed > 0) {
    throw failure(`${base.origin}: ${failed} of ${results.length} cases did not get the answer the contract requires`);
  }
}

export function registerCallbacksCheck(callbacks: Command): void {
  callbacks
    .command("check")
    .description("check a supplier's callback endpoint against the contract, over mutual TLS")
    .argument("<url>", "the endpoint's base URL; the callback paths (/FHIR/R4/Task, ...) are appended")
    .requiredOption("--cert <file>", "the client certificate to present, PEM (as the NHS App would)")
    .requiredOption("--key <file>", "its private key, PEM")
    .requiredOption("--ca <file>", "the CA that signed the endpoint's server certificate, PEM")
    .option("--timeout <ms>", "time allowed for each case", milliseconds, 10_000)
    .option("--json", "print the results as JSON")
    .action(check);
}
