// `nhs-app callbacks certs --out <dir>`: a test CA, a server certificate for
// 127.0.0.1 and localhost, and a client certificate, for trying mutual TLS
// on one machine; then the command line that checks an endpoint with them.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import { usageError } from "../lib/errors.js";
import { out } from "../lib/output.js";
import { days } from "../lib/parsers.js";
import { shellQuote } from "../lib/shell-quote.js";
import { createTestCertificates } from "../lib/test-certs.js";

interface CertsFlags {
  out: string;
  days: number;
  force?: boolean;
}

async function writeNew(file: string, text: string, mode: number, force: boolean) {
  try {
    // "wx" refuses to replace a file: certificates someone relies on are not overwritten by accident.
    await writeFile(file, text, { mode, flag: force ? "w" : "wx" });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw usageError(`${file} exists: choose another --out, or give --force to replace it`);
    throw usageError(`cannot write ${file} (${code ?? "unknown error"})`);
  }
}

async function certs(flags: CertsFlags) {
  const dir = path.resolve(flags.out);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw usageError(`cannot create ${dir} (${(error as NodeJS.ErrnoException).code ?? "unknown error"})`);
  }
  const made = await createTestCertificates(flags.days);
  const file = (name: string) => path.join(dir, name);
  const force = flags.force === true;
  // Private keys readable by their owner only.
  await writeNew(file("ca.pem"), made.ca, 0o644, force);
  await writeNew(file("server-cert.pem"), made.server.cert, 0o644, force);
  await writeNew(file("server-key.pem"), made.server.key, 0o600, force);
  await writeNew(file("client-cert.pem"), made.client.cert, 0o644, force);
  await writeNew(file("client-key.pem"), made.client.key, 0o600, force);
  const q = (name: string) => shellQuote(file(name));
  await out(`Test certificates for a local trial (valid ${flags.days} days; not for production) in ${dir}:

  ca.pem            the test CA (its private key was not kept)
  server-cert.pem   your endpoint's certificate, for 127.0.0.1 and localhost
  server-key.pem    its private key
  client-cert.pem   the certificate callbacks check presents, as the NHS App would
  client-key.pem    its private key

Start your endpoint with server-cert.pem and server-key.pem, trusting ca.pem for client
certificates (createCallbackServer({ key, cert, ca, port: 8443, ... })), then run:

  nhs-app callbacks check https://127.0.0.1:8443 --cert ${q("client-cert.pem")} --key ${q("client-key.pem")} --ca ${q("ca.pem")}
`);
}

export function registerCallbacksCerts(callbacks: Command): void {
  callbacks
    .command("certs")
    .description("make a test CA, a server certificate for 127.0.0.1 and a client certificate, for a local trial")
    .requiredOption("--out <dir>", "where to write the PEM files (created if missing)")
    .option("--days <n>", "how long the certificates are valid", days, 30)
    .option("--force", "replace files that already exist")
    .action(certs);
}
