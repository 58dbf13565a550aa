// `nhs-app callbacks certs --out <dir>`: a test CA, a server certificate for
// 127.0.0.1 and localhost, and a client certificate, for trying mutual TLS
// on one machine; then the command line that checks an endpoint with them.
import { access, chmod, mkdir, writeFile } from "node:fs/promises";
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

const FILES = ["ca.pem", "server-cert.pem", "server-key.pem", "client-cert.pem", "client-key.pem"] as const;

/** Certificates someone relies on are not replaced by accident: any file already there stops the command first. */
async function refuseExisting(dir: string) {
  for (const name of FILES) {
    const there = await access(path.join(dir, name)).then(
      () => true,
      () => false,
    );
    if (there) throw usageError(`${path.join(dir, name)} exists: choose another --out, or give --force to replace it`);
  }
}

async function write(file: string, text: string, mode: number) {
  try {
    await writeFile(file, text, { mode });
    // writeFile keeps the mode of a file it replaces; a key must end up private all the same.
    await chmod(file, mode);
  } catch (error) {
    throw usageError(`cannot write ${file} (${(error as NodeJS.ErrnoException).code ?? "unknown error"})`);
  }
}

async function certs(flags: CertsFlags) {
  const dir = path.resolve(flags.out);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw usageError(`cannot create ${dir} (${(error as NodeJS.ErrnoException).code ?? "unknown error"})`);
  }
  if (!flags.force) await refuseExisting(dir);
  const made = await createTestCertificates(flags.days);
  const file = (name: (typeof FILES)[number]) => path.join(dir, name);
  // Private keys readable by their owner only.
  await write(file("ca.pem"), made.ca, 0o644);
  await write(file("server-cert.pem"), made.server.cert, 0o644);
  await write(file("server-key.pem"), made.server.key, 0o600);
  await write(file("client-cert.pem"), made.client.cert, 0o644);
  await write(file("client-key.pem"), made.client.key, 0o600);
  const q = (name: (typeof FILES)[number]) => shellQuote(file(name));
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
