// The `nhs-app` program: its commands, and how commander's own output is
// tamed. Commander throws instead of exiting (exitOverride) and prints no
// errors itself, so every failure becomes one line from run.ts; help and
// --version still go to stdout.
import { createRequire } from "node:module";
import { Command } from "commander";
import { registerBatch } from "./commands/batch.js";
import { registerCallbacks } from "./commands/callbacks.js";
import { registerContracts } from "./commands/contracts.js";
import { registerReport } from "./commands/report.js";
import { registerSandbox } from "./commands/sandbox.js";
import { registerSend } from "./commands/send.js";
import { registerValidate } from "./commands/validate.js";

// package.json sits one level above both src/ and dist/, and is always published.
const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

const HELP_AFTER = `
Environment variables (for send, send batch and report; flags of the same name win):
  NHS_APP_ENVIRONMENT       dev, int, prod or sandbox
  NHS_APP_API_KEY           the application's API key
  NHS_APP_KEY_ID            the key ID (kid) of its registered public key
  NHS_APP_PRIVATE_KEY_FILE  the RSA private key, PEM (NHS_APP_PRIVATE_KEY_PATH also works)
  NHS_APP_BASE_URL          override the environment's API base URL (--base-url)
  NHS_APP_TOKEN_URL         override the environment's token URL (--token-url)

Exit codes:
  0  done; valid; every check passed
  1  invalid input, a failed check, or refused by the server or the network
  2  usage error: unknown command or option, bad value, missing file or setting
`;

export function createProgram(): Command {
  const program = new Command("nhs-app")
    .description(
      "Send messages through the NHS App API, read its reports, validate bodies, run the sandbox, check a callback endpoint and check the contract",
    )
    .version(version, "-V, --version")
    // Set before the commands are added, so that every command inherits them.
    .exitOverride()
    // A group's own options go before its commands (`sandbox --speed` starts one; `sandbox clock --speed` moves one).
    .enablePositionalOptions()
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: () => undefined,
      outputError: () => undefined,
    })
    .showSuggestionAfterError(true)
    .addHelpText("after", HELP_AFTER);
  registerSend(program);
  registerBatch(program);
  registerReport(program);
  registerValidate(program);
  registerSandbox(program);
  registerCallbacks(program);
  registerContracts(program);
  return program;
}
