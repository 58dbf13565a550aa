// The command line itself: --help on every command, and every usage error as
// one `nhs-app: ...` line on stderr with exit 2 and no stack trace. Most run
// the CLI's own `run` in this process (a process per command line was most
// of this file's time); the first of each kind runs the built executable.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { ensureBuilt, isOneErrorLine, runCli, runInProcess } from "./support/cli.ts";

await ensureBuilt();

const COMMANDS = [
  [],
  ["send"],
  ["send", "in-app"],
  ["send", "push"],
  ["send", "batch"],
  ["batch"],
  ["batch", "status"],
  ["report"],
  ["report", "receipts"],
  ["report", "patients"],
  ["validate"],
  ["sandbox"],
  ["callbacks"],
  ["callbacks", "check"],
  ["callbacks", "certs"],
  ["contracts"],
];

describe("nhs-app --help", () => {
  it.each(COMMANDS.map((path) => [path.join(" ") || "(top)", path]))(
    "prints the help of %s on stdout and exits 0",
    async (_name, path) => {
      const run = await (path.length === 0 ? runCli : runInProcess)([...path, "--help"]);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe("");
      expect(run.stdout.startsWith(`Usage: ${["nhs-app", ...path].join(" ")} `)).toBe(true);
    },
  );

  it("documents the exit codes and the environment variables in the top-level help", async () => {
    const { stdout } = await runInProcess(["--help"]);
    expect(stdout).toContain("Exit codes:");
    for (const name of ["NHS_APP_ENVIRONMENT", "NHS_APP_API_KEY", "NHS_APP_KEY_ID", "NHS_APP_PRIVATE_KEY_FILE"]) {
      expect(stdout).toContain(name);
    }
  });

  it("prints the version", async () => {
    const run = await runCli(["--version"]);
    const { version } = createRequire(import.meta.url)("../package.json") as { version: string };
    expect(run).toMatchObject({ code: 0, stdout: `${version}\n` });
  });
});

const creds = { NHS_APP_API_KEY: "k", NHS_APP_KEY_ID: "kid" };
const message = ["--nhs-number", "9434765919", "--ods", "B82041", "--text", "Hi"];

const USAGE_ERRORS: { args: string[]; env?: Record<string, string>; says: string | RegExp }[] = [
  { args: ["--prot"], says: "nhs-app: unknown option '--prot'" },
  { args: ["sandbox", "--prot", "1"], says: "nhs-app: unknown option '--prot' (Did you mean --port?)" },
  {
    args: ["sandbox", "--port", "abc"],
    says: /argument 'abc' is invalid\. A port must be a whole number from 0 to 65535\.$/,
  },
  { args: ["sandbox", "--port", "70000"], says: /argument '70000' is invalid/ },
  {
    args: ["sandbox", "--callback-url", "https://user:s3cret@127.0.0.1:9/cb/?code=x"],
    says: "nhs-app: the callback base URL has user info (user:password@) and a query (?...): give only its scheme, host, port and path (the callback paths go after it)",
  },
  {
    args: ["sandbox", "--callback-url", "ftp://127.0.0.1:9"],
    says: "nhs-app: the callback base URL must be https (or http for a plain local endpoint), not ftp:",
  },
  {
    args: [
      "sandbox",
      "--callback-url",
      "http://127.0.0.1:9",
      "--callback-cert",
      "c",
      "--callback-key",
      "k",
      "--callback-ca",
      "a",
    ],
    says: "nhs-app: mutual TLS needs an https callback base URL",
  },
  {
    args: ["sandbox", "--first-receipt", "soon"],
    says: /argument 'soon' is invalid\. A time in milliseconds must be a whole number from 0 to 600000\.$/,
  },
  {
    args: ["sandbox", "--reply-delay", "600001"],
    says: /argument '600001' is invalid\. A time in milliseconds must be a whole number from 0 to 600000\.$/,
  },
  {
    args: ["sandbox", "--callback-url", "https://127.0.0.1:9", "--callback-timeout", "0"],
    says: /argument '0' is invalid\. A time in milliseconds must be a whole number from 1 to 600000\.$/,
  },
  { args: ["sandbox", "--reply-keyword", ""], says: /argument '' is invalid\. A keyword must not be empty\.$/ },
  {
    args: ["sandbox", "--callback-timeout", "100"],
    says: "nhs-app: --callback-cert, --callback-key, --callback-ca, --callback-retries and --callback-timeout need --callback-url",
  },
  { args: ["sandbox", "--status-key", " "], says: /argument ' ' is invalid\. A status key must not be empty\.$/ },
  {
    args: [],
    says: "nhs-app: a command is needed: send, batch, report, validate, sandbox, callbacks, contracts (see nhs-app --help)",
  },
  { args: ["send"], says: "nhs-app: send needs a command: in-app, push, batch (see nhs-app send --help)" },
  { args: ["batch"], says: "nhs-app: batch needs a command: status (see nhs-app batch --help)" },
  { args: ["send", "batch", "--journal", "c.db"], says: "nhs-app: missing required argument 'messages.ndjson'" },
  {
    args: ["send", "batch", "a.ndjson"],
    says: "nhs-app: give --journal <campaign.db>, or --postgres <url> with --campaign",
  },
  {
    args: ["send", "batch", "a.ndjson", "--journal", "c.db", "--postgres", "postgres://h/d", "--campaign", "c"],
    says: "nhs-app: choose --journal (a SQLite file) or --postgres (a database), not both",
  },
  {
    args: ["send", "batch", "a.ndjson", "--postgres", "postgres://h/d"],
    says: "nhs-app: --postgres needs --campaign <name>: one database holds many campaigns",
  },
  {
    args: ["send", "batch", "a.ndjson", "--journal", "c.db", "--campaign", "c"],
    says: "nhs-app: --campaign names a campaign in a --postgres database; a --journal file holds one campaign",
  },
  {
    args: ["send", "batch", "a.ndjson", "--journal", "c.db", "--rate", "0"],
    says: /argument '0' is invalid\. A rate must be a number of requests a second, more than 0 and at most 1000\.$/,
  },
  {
    args: ["send", "batch", "a.ndjson", "--journal", "c.db", "--concurrency", "65"],
    says: /argument '65' is invalid\. Concurrency must be a whole number from 1 to 64\.$/,
  },
  {
    args: ["send", "batch", "a.ndjson", "--journal", "c.db", "--out", "r.csv", "--json"],
    says: "nhs-app: --out writes CSV: leave out --json",
  },
  {
    args: ["send", "batch", "/nonexistent/a.ndjson", "--journal", "c.db"],
    says: "nhs-app: the batch file /nonexistent/a.ndjson does not exist",
  },
  { args: ["batch", "status"], says: "nhs-app: give --journal <campaign.db>, or --postgres <url> with --campaign" },
  {
    args: ["batch", "status", "--journal", "/nonexistent/c.db"],
    says: "nhs-app: the journal /nonexistent/c.db does not exist",
  },
  { args: ["frobnicate"], says: "nhs-app: unknown command 'frobnicate'" },
  { args: ["contracts"], says: "nhs-app: required option '--against <location>' not specified" },
  { args: ["contracts", "--against"], says: "nhs-app: option '--against <location>' argument missing" },
  {
    args: ["contracts", "--against", "/nonexistent/nhs-app-api"],
    says: /^nhs-app: \/nonexistent\/nhs-app-api: cannot read it \(.*ENOENT/,
  },
  { args: ["report", "receipts"], says: "nhs-app: required option '--day <YYYY-MM-DD>' not specified" },
  { args: ["validate"], says: "nhs-app: missing required argument 'file'" },
  { args: ["validate", "a.json", "b.json"], says: /too many arguments/ },
  {
    args: ["validate", "a.json", "--as", "letter"],
    says: /argument 'letter' is invalid\. Allowed choices are in-app, push, receipt, reply\.$/,
  },
  { args: ["callbacks", "check", "https://127.0.0.1:1"], says: /required option '--cert <file>' not specified/ },
  {
    args: ["callbacks", "check", "http://127.0.0.1:1", "--cert", "c", "--key", "k", "--ca", "a"],
    says: "nhs-app: the callback URL must be https (mutual TLS), not http:",
  },
  {
    args: ["callbacks", "check", "https://127.0.0.1:1", "--cert", "/nonexistent/c.pem", "--key", "k", "--ca", "a"],
    says: "nhs-app: the client certificate file /nonexistent/c.pem does not exist",
  },
  { args: ["callbacks", "check", "https://127.0.0.1:1", "--timeout", "soon"], says: /argument 'soon' is invalid/ },
  {
    args: ["send", "in-app", ...message],
    env: { NHS_APP_ENVIRONMENT: "staging", ...creds },
    says: /value 'staging' from env 'NHS_APP_ENVIRONMENT' is invalid\. Allowed choices are dev, int, prod, sandbox\.$/,
  },
  {
    args: ["report", "receipts", "--day", "2026-01-01", "--environment", "staging"],
    says: /argument 'staging' is invalid\. Allowed choices are dev, int, prod, sandbox\.$/,
  },
  {
    args: ["report", "receipts", "--day", "2026-01-01"],
    says: "nhs-app: no environment: set NHS_APP_ENVIRONMENT or --environment (dev, int, prod or sandbox), or give both --base-url and --token-url",
  },
  {
    args: ["send", "in-app", ...message, "--environment", "int", "--private-key-file", "/nonexistent/key.pem"],
    env: creds,
    says: "nhs-app: the private key file /nonexistent/key.pem does not exist",
  },
  {
    args: ["send", "in-app", ...message, "--keyword", "YES", "--free-text-reply", "--dry-run"],
    says: "nhs-app: choose --keyword or --free-text-reply, not both",
  },
];

describe("usage errors", () => {
  it.each(USAGE_ERRORS.map((error) => [error.args.join(" ") || "(nothing)", error]))(
    "%s: one line on stderr, nothing on stdout, exit 2",
    async (name, { args, env, says }) => {
      const run = await (name === "--prot" ? runCli : runInProcess)(args, env);
      // One comparison, so that a failure shows the whole run.
      expect({ ...run, stderr: run.stderr.trimEnd(), oneLine: isOneErrorLine(run.stderr) }).toEqual({
        code: 2,
        stdout: "",
        stderr: typeof says === "string" ? says : expect.stringMatching(says),
        oneLine: true,
      });
    },
  );
});
