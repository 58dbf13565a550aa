// `nhs-app sandbox`: the local sandbox of @nhs-app-api/testing (what
// `pnpm sandbox` runs), with its options, until SIGINT or SIGTERM. It prints
// the settings that point this CLI, or the client, at it. With
// --callback-url it also plays the NHS App's side of the callbacks. Its
// commands (sandbox-control.ts) drive a sandbox already running.
import { operations } from "@nhs-app-api/contract";
import {
  DEFAULT_CALLBACK_RETRY,
  DEFAULT_CALLBACK_TIMEOUT_MS,
  DEFAULT_DELIVERY_TIMING,
  DEFAULT_FREE_TEXT_REPLY,
  type Sandbox,
  startSandbox,
} from "@nhs-app-api/testing";
import type { Command } from "commander";
import {
  callbackOptions,
  type DeliveryFlags,
  deliveryScenario,
  nhsNumbers,
  retries,
  whoReads,
} from "../lib/delivery-flags.js";
import { failure, usageError } from "../lib/errors.js";
import { note, out } from "../lib/output.js";
import {
  clockSpeed,
  delay,
  keyword,
  milliseconds,
  port,
  positiveInteger,
  seconds,
  statusKey,
  zonedTime,
} from "../lib/parsers.js";
import { SANDBOX_DEFAULT_PORT } from "../lib/sandbox-endpoints.js";
import { registerSandboxControl, SANDBOX_CONTROL_COMMANDS } from "./sandbox-control.js";

interface SandboxFlags extends DeliveryFlags {
  port: number;
  receiptPages?: number;
  patientPages?: number;
  tokenLifetime?: number;
  rateLimit?: number;
  quota?: number;
  statusKey?: string;
  /** Where the sandbox's clock starts, epoch ms (--clock). */
  clock?: number;
  speed?: number;
}

/** The header `_status` wants its key in, as the spec's security scheme names it (`apikey`). */
const STATUS_KEY_HEADER = operations["get-status"].security.find((scheme) => scheme.type === "apiKey")?.name;

/** Resolves on the first SIGINT or SIGTERM. */
const stopSignal = () =>
  new Promise<NodeJS.Signals>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });

/** The banner's line about the rate limits, when any is set. */
function rateLimitLine({ rateLimit, quota }: SandboxFlags): string {
  const limits = [
    rateLimit === undefined ? undefined : `${rateLimit} API calls in any second (429 spike arrest)`,
    quota === undefined ? undefined : `${quota} in any minute (429 quota)`,
  ].filter((limit) => limit !== undefined);
  return limits.length === 0 ? "" : `Rate limits: ${limits.join(", ")}.\n`;
}

/** The banner's line about the callbacks, when a callback URL is given: the URL as the sandbox uses it. */
function callbackLine(sandbox: Sandbox, callbacks: Awaited<ReturnType<typeof callbackOptions>>): string {
  if (!sandbox.callbacks || !callbacks) return "";
  const tls = callbacks.tls ? " (mutual TLS)" : "";
  return `Callbacks: each message's receipts and reply are posted to ${sandbox.callbacks.baseUrl}${tls}; any not delivered is said on stderr.\n`;
}

/** The banner's line about the clock, when it was given a start or a speed. */
function clockLine({ clock, speed }: SandboxFlags): string {
  if (clock === undefined && speed === undefined) return "";
  const start = clock === undefined ? "now" : new Date(clock).toISOString();
  const pace = speed === undefined || speed === 1 ? "real time" : `${speed} times real time`;
  return `Clock: starts at ${start}, runs at ${pace}.\n`;
}

async function runSandbox(flags: SandboxFlags, command: Command) {
  // A command group with its own action: a word that is no command arrives here as an argument.
  const [stray] = command.args;
  if (stray !== undefined) {
    throw usageError(
      `unknown command 'sandbox ${stray}': the sandbox's commands are ${SANDBOX_CONTROL_COMMANDS.join(", ")} (see nhs-app sandbox --help); with none it starts a sandbox`,
    );
  }
  const delivery = deliveryScenario(flags);
  const callbacks = await callbackOptions(flags);
  const stopped = stopSignal();
  const sandbox = await startSandbox({
    port: flags.port,
    ...(flags.receiptPages === undefined ? {} : { receiptPages: flags.receiptPages }),
    ...(flags.patientPages === undefined ? {} : { patientPages: flags.patientPages }),
    ...(flags.tokenLifetime === undefined ? {} : { tokenLifetimeSeconds: flags.tokenLifetime }),
    ...(flags.statusKey === undefined ? {} : { statusApiKey: flags.statusKey }),
    ...(flags.rateLimit === undefined && flags.quota === undefined
      ? {}
      : {
          rateLimit: {
            ...(flags.rateLimit === undefined ? {} : { requestsPerSecond: flags.rateLimit }),
            ...(flags.quota === undefined ? {} : { requestsPerMinute: flags.quota }),
          },
        }),
    ...(delivery ? { delivery } : {}),
    ...(callbacks ? { callbacks } : {}),
    ...(flags.clock === undefined && flags.speed === undefined
      ? {}
      : {
          clock: {
            ...(flags.clock === undefined ? {} : { start: flags.clock }),
            ...(flags.speed === undefined ? {} : { speed: flags.speed }),
          },
        }),
  }).catch((error: unknown) => {
    throw failure(`the sandbox could not start: ${error instanceof Error ? error.message : String(error)}`);
  });
  // The client sends the API key to _status unless told otherwise.
  const statusKeyLine = sandbox.statusApiKey === sandbox.apiKey ? "" : `\n    statusApiKey: "${sandbox.statusApiKey}",`;
  await out(`NHS App API sandbox (127.0.0.1 only)

  base URL        ${sandbox.baseUrl}
  token URL       ${sandbox.tokenUrl}
  API key         ${sandbox.apiKey}
  key ID (kid)    ${sandbox.keyId}
  private key     ${sandbox.privateKeyPath}
  ping URL        ${sandbox.baseUrl}${operations["get-ping"].path} (no credentials)
  status URL      ${sandbox.baseUrl}${operations["get-status"].path} (the status key in header ${STATUS_KEY_HEADER})
  status key      ${sandbox.statusApiKey}
  inspector       ${sandbox.inspectorUrl}

Point this CLI at it (these are test values, not secrets):

  export NHS_APP_ENVIRONMENT=sandbox
  export NHS_APP_BASE_URL=${sandbox.baseUrl}
  export NHS_APP_TOKEN_URL=${sandbox.tokenUrl}
  export NHS_APP_API_KEY=${sandbox.apiKey}
  export NHS_APP_KEY_ID=${sandbox.keyId}
  export NHS_APP_PRIVATE_KEY_FILE=${sandbox.privateKeyPath}

or the client:

  createNhsAppClient({
    environment: { baseUrl: "${sandbox.baseUrl}", tokenUrl: "${sandbox.tokenUrl}" },
    apiKey: "${sandbox.apiKey}",${statusKeyLine}
    keyId: "${sandbox.keyId}",
    privateKey: readFileSync("${sandbox.privateKeyPath}", "utf8"),
  });

Multi-page reports: the patient report of ODS code T00001, and the receipt report of any day.
${rateLimitLine(flags)}${callbackLine(sandbox, callbacks)}${clockLine(flags)}
The inspector shows every message it accepts, with controls. From another terminal:
nhs-app sandbox messages, deliver, reply, replay, fail, faults, reset and clock drive it
(see nhs-app sandbox --help).

Press Ctrl-C to stop.
`);
  const signal = await stopped;
  await sandbox.stop();
  note(`Sandbox stopped (${signal}).`);
}

export function registerSandbox(program: Command): void {
  const sandbox = program
    .command("sandbox")
    .description("run the local NHS App API sandbox until Ctrl-C; its commands drive one already running")
    // Its own options before a command only: `sandbox clock --speed 60` is the clock command's --speed.
    .enablePositionalOptions()
    .allowExcessArguments()
    .option("--port <n>", "the port on 127.0.0.1; 0 picks a free one", port, SANDBOX_DEFAULT_PORT)
    .option("--receipt-pages <n>", "pages of the receipt report of every day (default 3)", positiveInteger)
    .option("--patient-pages <n>", "pages of the patient report of T00001 (default 4)", positiveInteger)
    .option("--token-lifetime <seconds>", "how long an access token lasts (default 599, as on the platform)", seconds)
    .option(
      "--status-key <key>",
      `the key ${operations["get-status"].path} wants in its ${STATUS_KEY_HEADER} header (default: the API key)`,
      statusKey,
    )
    .option(
      "--rate-limit <per-second>",
      "API calls allowed in any sliding second, 429 spike arrest over it (dev and int: 20; default none)",
      positiveInteger,
    )
    .option(
      "--quota <per-minute>",
      "API calls allowed in any sliding minute, 429 quota over it (default none)",
      positiveInteger,
    )
    .option(
      "--rejected <nhs-numbers>",
      "messages to these patients are rejected (comma-separated; repeatable)",
      nhsNumbers,
    )
    .option("--unnotified <nhs-numbers>", "these patients have notifications off: Unnotified", nhsNumbers)
    .option("--not-acknowledged <nhs-numbers>", "no device of these patients acknowledges: never Notified", nhsNumbers)
    .option(
      "--read <who>",
      "whose in-app messages are read: all, none, reply-offered (default) or NHS numbers",
      whoReads,
    )
    .option(
      "--first-receipt <ms>",
      `time from a message's acceptance to its first receipt (default ${DEFAULT_DELIVERY_TIMING.firstMs})`,
      delay,
    )
    .option(
      "--receipt-interval <ms>",
      `time from one receipt of a message to the next (default ${DEFAULT_DELIVERY_TIMING.stepMs})`,
      milliseconds,
    )
    .option("--reply-delay <ms>", "time from Read to the patient's reply (default: the receipt interval)", delay)
    .option(
      "--reply-keyword <code>",
      "the keyword patients answer with, when the message offered it (default, or if not: the first offered)",
      keyword,
    )
    .option(
      "--reply-text <text>",
      `what patients write to a free-text reply, as the replies contract allows (default "${DEFAULT_FREE_TEXT_REPLY}")`,
    )
    .option(
      "--callback-url <url>",
      "post receipts and replies to this callback base URL, as the NHS App would (https; plain http only to this machine)",
    )
    .option("--callback-cert <file>", "the client certificate (PEM) presented to the callback endpoint")
    .option("--callback-key <file>", "its private key (PEM)")
    .option("--callback-ca <file>", "the CA (PEM) that signed the callback endpoint's certificate")
    .option(
      "--callback-retries <n>",
      `tries after a callback fails, with exponential backoff (default ${DEFAULT_CALLBACK_RETRY.retries})`,
      retries,
    )
    .option(
      "--callback-timeout <ms>",
      `how long one try of a callback may take, connection to answer (default ${DEFAULT_CALLBACK_TIMEOUT_MS})`,
      milliseconds,
    )
    .option("--clock <time>", "where the sandbox's clock starts: an ISO 8601 time with a zone (default now)", zonedTime)
    .option("--speed <factor>", "how fast its clock runs: 1 is real time (default), 60 a minute a second", clockSpeed)
    .action(runSandbox)
    // `sandbox --port 1 messages` would drop --port unseen: starting options go without a command.
    .hook("preSubcommand", (parent, subcommand) => {
      const given = parent.options
        .filter((option) => parent.getOptionValueSource(option.attributeName()) === "cli")
        .map((option) => option.long ?? option.flags);
      if (given.length > 0) {
        throw usageError(
          `${given.join(", ")} ${given.length === 1 ? "starts" : "start"} a sandbox: give ${given.length === 1 ? "it" : "them"} without '${subcommand.name()}'`,
        );
      }
    });
  registerSandboxControl(sandbox);
}
