// `nhs-app callbacks check <url>`: plays the NHS App against a supplier's
// callback endpoint over mutual TLS. It first looks at the TLS the endpoint
// chooses (version, and under TLS 1.2 forward secrecy and AEAD); then sends
// every receipt and reply example of the callback specs and broken copies of
// them, and tries to connect without an acceptable client certificate; then
// prints, case by case, what the endpoint answered against what the contract
// requires. Each case is bounded by --timeout and reported on stderr as it
// ends, so that a hanging endpoint shows where it hangs.
import type { Command } from "commander";
import { callbackCases } from "../lib/callback-cases.js";
import { describe, EXPECTED_WORDS, type Expected, judge } from "../lib/callback-verdict.js";
import { readClientTls } from "../lib/client-tls-files.js";
import { failure, usageError } from "../lib/errors.js";
import { post } from "../lib/mtls-post.js";
import { note, out } from "../lib/output.js";
import { milliseconds } from "../lib/parsers.js";
import { table } from "../lib/table.js";
import { createStrayClientCertificate } from "../lib/test-certs.js";
import { describeTls, gradeTls, isTooOld, type NegotiatedTls, tooOldMessage } from "../lib/tls-grade.js";
import { type ProbeOutcome, probeTls } from "../lib/tls-probe.js";

interface CheckFlags {
  cert: string;
  key: string;
  ca: string;
  timeout: number;
  json?: boolean;
}

interface Result {
  title: string;
  expected: string;
  /** What came back, in a few words (never a body). */
  answered: string;
  pass: boolean;
}

/** Enough for any endpoint that answers at all; a hanging one costs this for each case. */
const DEFAULT_TIMEOUT_MS = 5000;

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

/** The TLS case: what the endpoint chose, and what is wrong with it. */
function tlsResult(probe: ProbeOutcome): Result {
  const title = "TLS version and cipher suite";
  const expected = "TLS 1.2+, forward secrecy, AEAD";
  if (probe.kind !== "negotiated") return { title, expected, answered: describe(probe), pass: false };
  const grade = gradeTls(probe.tls);
  const said = describeTls(probe.tls);
  return { title, expected, answered: grade.pass ? said : `${said}: ${grade.problems.join("; ")}`, pass: grade.pass };
}

const tlsJson = (tls: NegotiatedTls) => ({
  protocol: tls.protocol,
  cipher: tls.cipher,
  standardName: tls.standardName ?? null,
  ephemeralKey: tls.ephemeralKey.name ?? tls.ephemeralKey.type ?? null,
  problems: gradeTls(tls).problems,
});

async function check(urlText: string, flags: CheckFlags) {
  const base = baseUrl(urlText);
  const tls = await readClientTls(flags);
  const { cases, validReceipt } = await callbackCases();
  const total = 1 + cases.length + 2;
  const results: Result[] = [];
  // Progress goes to stderr, a line a case, so that stdout stays the report (and --json parseable).
  const record = (result: Result) => {
    results.push(result);
    note(`[${results.length}/${total}] ${result.title} … ${result.answered}: ${result.pass ? "pass" : "FAIL"}`);
  };
  const judged = (title: string, expected: Expected, verdict: ReturnType<typeof judge>): Result => ({
    title,
    expected: EXPECTED_WORDS[expected],
    ...verdict,
  });

  const probe = await probeTls(base, tls, flags.timeout);
  // An endpoint that cannot be reached, whose certificate is not trusted, or whose TLS the NHS App cannot speak makes every case moot.
  if (probe.kind === "unusable") throw failure(`cannot use ${base.origin}: ${probe.reason} (${probe.code})`);
  if (probe.kind === "negotiated" && isTooOld(probe.tls.protocol)) {
    throw failure(`cannot use ${base.origin}: ${tooOldMessage(probe.tls.protocol)}`);
  }
  record(tlsResult(probe));

  for (const [index, httpCase] of cases.entries()) {
    const outcome = await post(join(base, httpCase.path), httpCase, tls, flags.timeout);
    if (index === 0 && outcome.kind === "unusable") {
      throw failure(`cannot use ${base.origin}: ${outcome.reason} (${outcome.code})`);
    }
    record(judged(httpCase.title, httpCase.expect, judge(httpCase.expect, outcome, httpCase.operation)));
  }
  const message = { contentType: "application/json", body: validReceipt.body };
  const url = join(base, validReceipt.path);
  const noCertificate = await post(url, message, { ca: tls.ca }, flags.timeout);
  record(judged("no client certificate", "tls-refused", judge("tls-refused", noCertificate, validReceipt.operation)));
  const stranger = await createStrayClientCertificate();
  const strange = await post(
    url,
    message,
    { ca: tls.ca, cert: Buffer.from(stranger.cert), key: Buffer.from(stranger.key) },
    flags.timeout,
  );
  record(
    judged("a self-signed client certificate", "tls-refused", judge("tls-refused", strange, validReceipt.operation)),
  );

  const failed = results.filter((result) => !result.pass).length;
  if (flags.json) {
    const report = {
      url: base.href,
      tls: probe.kind === "negotiated" ? tlsJson(probe.tls) : null,
      passed: results.length - failed,
      failed,
      cases: results.map(({ title, expected, answered, pass }) => ({ case: title, expected, answered, pass })),
    };
    await out(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const rows = results.map((r) => [r.title, r.expected, r.answered, r.pass ? "pass" : "FAIL"]);
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
    .option("--timeout <ms>", "time allowed for each case, handshake to last byte", milliseconds, DEFAULT_TIMEOUT_MS)
    .option("--json", "print the results as JSON")
    .action(check);
}
