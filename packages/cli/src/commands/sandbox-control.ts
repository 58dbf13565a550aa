// `nhs-app sandbox messages|deliver|reply|replay|fail|faults|reset|clock`:
// a running sandbox driven from another terminal, through its control API
// (packages/testing/CONTROL-API.md). Each command is one call; the sandbox
// judges what it is asked against its state and says no (exit 1) when the
// state does not allow it. What the contract or the control API fix
// (receipt codes, operations, statuses) is checked here first, as a usage
// error (exit 2), so a typo never reaches the sandbox.
import { enums } from "@nhs-app-api/contract";
import {
  type CallbackView,
  type ClockView,
  FAULT_STATUSES,
  type FaultView,
  type MessageView,
} from "@nhs-app-api/testing";
import type { Command } from "commander";
import { usageError } from "../lib/errors.js";
import { note, out } from "../lib/output.js";
import {
  clockSpeed,
  clockStep,
  FAULT_OPERATION_NAMES,
  faultCount,
  faultOperation,
  faultStatus,
  keyword,
  messageLimit,
  receiptCode,
  rejectionReason,
  replyText,
  retryAfter,
  slowMs,
  zonedTime,
} from "../lib/parsers.js";
import { controlCall, sandboxOrigin } from "../lib/sandbox-control.js";
import { table } from "../lib/table.js";

interface TargetFlags {
  sandboxUrl?: string;
  json?: boolean;
}

const json = (value: unknown) => out(`${JSON.stringify(value)}\n`);

/** Every command's own options: which sandbox, and JSON instead of words. */
function targeted(command: Command): Command {
  return command
    .option(
      "--sandbox-url <url>",
      "the running sandbox's origin (default: NHS_APP_SANDBOX_URL, else the origin of NHS_APP_BASE_URL, else http://127.0.0.1:4010)",
    )
    .option("--json", "print the sandbox's answer as JSON");
}

const list = (items: readonly string[]) => (items.length === 0 ? "none" : items.join(", "));

/** Where a message stands: the receipts that happened, those to come, and the reply. */
function standing(message: MessageView): string {
  const happened = message.receipts.filter((receipt) => receipt.happened).map((receipt) => receipt.kind);
  const toCome = message.receipts.filter((receipt) => !receipt.happened).map((receipt) => receipt.kind);
  const reply = message.reply?.happened
    ? `; replied ${message.reply.answer.kind === "keyword" ? message.reply.answer.code : JSON.stringify(message.reply.answer.text)}`
    : "";
  return `receipts so far: ${list(happened)}; still to come: ${list(toCome)}${reply}`;
}

function callbackCounts(callbacks: readonly CallbackView[]): string {
  if (callbacks.length === 0) return "-";
  const count = (state: CallbackView["state"]) => callbacks.filter((callback) => callback.state === state).length;
  const sending = count("sending");
  return `${count("delivered")} delivered, ${count("undelivered")} undelivered${sending > 0 ? `, ${sending} sending` : ""}`;
}

async function messages(flags: TargetFlags & { limit?: number }) {
  const origin = sandboxOrigin(flags.sandboxUrl);
  const query = flags.limit === undefined ? "" : `?limit=${flags.limit}`;
  const answer = await controlCall<{ total: number; messages: MessageView[] }>(origin, {
    method: "GET",
    path: `/messages${query}`,
  });
  if (flags.json) return json(answer);
  if (answer.messages.length === 0) {
    note("no messages: the sandbox has accepted none since it started or was reset");
    return;
  }
  const rows = answer.messages.map((message) => [
    message.receivedAt,
    message.kind,
    message.communicationId,
    message.requestReference ?? "-",
    message.testPatient ?? "-",
    message.receipts.filter((receipt) => receipt.happened).at(-1)?.kind ?? "-",
    callbackCounts(message.callbacks),
  ]);
  await out(
    table(["RECEIVED", "KIND", "COMMUNICATION ID", "REFERENCE", "TEST PATIENT", "LAST RECEIPT", "CALLBACKS"], rows),
  );
  if (answer.total > answer.messages.length) {
    note(`the newest ${answer.messages.length} of ${answer.total} messages (--limit for more)`);
  }
}

const messagePath = (id: string, action: string) => `/messages/${encodeURIComponent(id)}/${action}`;

async function deliver(id: string, flags: TargetFlags & { receipt?: string; reason?: string }) {
  if (flags.reason !== undefined && flags.receipt !== "Rejected") {
    throw usageError("--reason goes only with --receipt Rejected");
  }
  const origin = sandboxOrigin(flags.sandboxUrl);
  const message = await controlCall<MessageView>(origin, {
    method: "POST",
    path: messagePath(id, "receipts"),
    body: {
      ...(flags.receipt === undefined ? {} : { receipt: flags.receipt }),
      ...(flags.reason === undefined ? {} : { reason: flags.reason }),
    },
    about: { what: "message", id },
  });
  if (flags.json) return json(message);
  await out(`${message.communicationId}: ${standing(message)}\n`);
}

async function reply(id: string, flags: TargetFlags & { keyword?: string; text?: string }) {
  if ((flags.keyword === undefined) === (flags.text === undefined)) {
    throw usageError("give exactly one of --keyword <code> (a keyword the message offered) or --text <text>");
  }
  const origin = sandboxOrigin(flags.sandboxUrl);
  const message = await controlCall<MessageView>(origin, {
    method: "POST",
    path: messagePath(id, "reply"),
    body: flags.keyword === undefined ? { text: flags.text } : { keyword: flags.keyword },
    about: { what: "message", id },
  });
  if (flags.json) return json(message);
  await out(`${message.communicationId}: ${standing(message)}\n`);
}

async function replay(id: string, flags: TargetFlags) {
  const origin = sandboxOrigin(flags.sandboxUrl);
  const callback = await controlCall<CallbackView>(origin, {
    method: "POST",
    path: `/callbacks/${encodeURIComponent(id)}/replay`,
    body: {},
    about: { what: "callback", id },
  });
  if (flags.json) return json(callback);
  const what = callback.kind === "receipt" ? `the ${callback.receipt} receipt` : "the reply";
  await out(
    `${callback.replayOf ?? id} posted again as ${callback.id}: ${what} of ${callback.communicationId} to ${callback.url} (${callback.state})\n`,
  );
}

/** A fault's answer in words. */
function answerWords(answer: FaultView["answer"]): string {
  if (answer.kind === "drop") return "the connection closed, no answer";
  if (answer.kind === "slow") return `their answer ${answer.delayMs} ms late`;
  return answer.retryAfterSeconds === undefined
    ? `${answer.status}`
    : `${answer.status} with Retry-After ${answer.retryAfterSeconds} s`;
}

interface FailFlags extends TargetFlags {
  count?: number;
  status?: number;
  retryAfter?: number;
  drop?: boolean;
  slow?: number;
  processed?: boolean;
  clear?: boolean;
}

async function fail(operation: string | undefined, flags: FailFlags) {
  const answers = [flags.status !== undefined, flags.drop === true, flags.slow !== undefined].filter(Boolean).length;
  if (flags.clear) {
    const others = [flags.count, flags.retryAfter, flags.processed].some((flag) => flag !== undefined);
    if (operation !== undefined || answers > 0 || others) {
      throw usageError("--clear forgets every fault: give it no operation and no other fault option");
    }
    const origin = sandboxOrigin(flags.sandboxUrl);
    const left = await controlCall<{ faults: FaultView[] }>(origin, { method: "DELETE", path: "/faults" });
    if (flags.json) return json(left);
    await out("every fault forgotten: the next calls get the sandbox's own answers\n");
    return;
  }
  if (operation === undefined) {
    throw usageError(`give the operation to fail (${FAULT_OPERATION_NAMES.join(", ")}), or --clear`);
  }
  if (answers !== 1) throw usageError("give exactly one of --status <code>, --drop or --slow <ms>");
  if (flags.retryAfter !== undefined && flags.status === undefined) {
    throw usageError("--retry-after goes with --status (429 or 503)");
  }
  if (flags.processed && flags.slow !== undefined) {
    throw usageError("--processed goes with --status or --drop: a slow answer is the call's own");
  }
  const origin = sandboxOrigin(flags.sandboxUrl);
  const fault = await controlCall<FaultView>(origin, {
    method: "POST",
    path: "/faults",
    body: {
      operation,
      ...(flags.count === undefined ? {} : { count: flags.count }),
      ...(flags.status === undefined ? {} : { status: flags.status }),
      ...(flags.retryAfter === undefined ? {} : { retryAfter: flags.retryAfter }),
      ...(flags.drop ? { drop: true } : {}),
      ...(flags.slow === undefined ? {} : { slowMs: flags.slow }),
      ...(flags.processed ? { processed: true } : {}),
    },
  });
  if (flags.json) return json(fault);
  const calls = fault.remaining === 1 ? "the next call" : `the next ${fault.remaining} calls`;
  const gets = fault.remaining === 1 ? "gets" : "get";
  const processed = fault.processed ? " (processed first: only the answer is replaced)" : "";
  await out(`${fault.id}: ${calls} of ${fault.operation} ${gets} ${answerWords(fault.answer)}${processed}\n`);
}

async function faults(flags: TargetFlags) {
  const origin = sandboxOrigin(flags.sandboxUrl);
  const answer = await controlCall<{ faults: FaultView[] }>(origin, { method: "GET", path: "/faults" });
  if (flags.json) return json(answer);
  if (answer.faults.length === 0) {
    note("no faults waiting: every call gets the sandbox's own answer");
    return;
  }
  const rows = answer.faults.map((fault) => [
    fault.id,
    fault.operation,
    String(fault.remaining),
    answerWords(fault.answer),
    fault.processed ? "yes" : "no",
  ]);
  await out(table(["ID", "OPERATION", "CALLS LEFT", "ANSWER", "PROCESSED FIRST"], rows));
}

async function reset(flags: TargetFlags) {
  const origin = sandboxOrigin(flags.sandboxUrl);
  const answer = await controlCall<{ reset: boolean; clock: ClockView }>(origin, {
    method: "POST",
    path: "/reset",
    body: {},
  });
  if (flags.json) return json(answer);
  await out(
    `every message, receipt, reply, callback, fault and recorded request forgotten; the clock stays at ${answer.clock.now}\n`,
  );
}

function clockLines(clock: ClockView): string {
  const lines: [string, string][] = [
    ["now", clock.now],
    ["speed", clock.speed === 1 ? "1 (real time)" : `${clock.speed} times real time`],
    ["movable", clock.adjustable ? "yes" : "no (a test gave the sandbox its own clock)"],
    ["receipt reports", `complete before ${clock.receiptReports.completeBefore}: ${clock.receiptReports.rule}`],
    ["push quiet hours", `${clock.pushQuietHours.now ? "now" : "not now"}: ${clock.pushQuietHours.rule}`],
  ];
  const width = Math.max(...lines.map(([label]) => label.length));
  return lines.map(([label, value]) => `${label.padEnd(width)}  ${value}\n`).join("");
}

async function clock(flags: TargetFlags & { advance?: string; to?: number; speed?: number }) {
  if (flags.advance !== undefined && flags.to !== undefined) {
    throw usageError("give at most one of --advance or --to");
  }
  const origin = sandboxOrigin(flags.sandboxUrl);
  const moving = flags.advance !== undefined || flags.to !== undefined || flags.speed !== undefined;
  const view = await controlCall<ClockView>(
    origin,
    moving
      ? {
          method: "POST",
          path: "/clock",
          body: {
            ...(flags.advance === undefined ? {} : { advance: flags.advance }),
            ...(flags.to === undefined ? {} : { to: new Date(flags.to).toISOString() }),
            ...(flags.speed === undefined ? {} : { speed: flags.speed }),
          },
        }
      : { method: "GET", path: "/clock" },
  );
  if (flags.json) return json(view);
  await out(clockLines(view));
}

/** The names of the commands, for the parent's own word on a mistyped one. */
export const SANDBOX_CONTROL_COMMANDS = [
  "messages",
  "deliver",
  "reply",
  "replay",
  "fail",
  "faults",
  "reset",
  "clock",
] as const;

export function registerSandboxControl(sandbox: Command): void {
  targeted(
    sandbox
      .command("messages")
      .description("the messages a running sandbox accepted, newest first: one line each")
      .option("--limit <n>", "how many (default 50)", messageLimit),
  ).action(messages);
  targeted(
    sandbox
      .command("deliver")
      .description("a message's next receipt now, or the one chosen (with those before it)")
      .argument("<communication-id>", "the message's communication ID (see messages)")
      .option("--receipt <code>", `this receipt now: ${enums.receiptCodes.join(", ")}`, receiptCode)
      .option("--reason <text>", "why it was rejected (with --receipt Rejected)", rejectionReason),
  ).action(deliver);
  targeted(
    sandbox
      .command("reply")
      .description("the patient replies now (the message is read first if it was not)")
      .argument("<communication-id>", "the message's communication ID (see messages)")
      .option("--keyword <code>", "one of the keywords the message offered", keyword)
      .option("--text <text>", "free text, when the message offered a free-text reply", replyText),
  ).action(reply);
  targeted(
    sandbox
      .command("replay")
      .description("post a callback again (with its retries), as a new callback")
      .argument("<callback-id>", "the callback's ID in the sandbox: cb-1, cb-2, ... (see messages --json)"),
  ).action(replay);
  targeted(
    sandbox
      .command("fail")
      .description("the next calls of an operation fail as chosen; --clear forgets every fault")
      .argument("[operation]", `the operation: ${FAULT_OPERATION_NAMES.join(", ")}`, faultOperation)
      .option("--count <n>", "how many calls (default 1)", faultCount)
      .option("--status <code>", `answer with this status: ${FAULT_STATUSES.join(", ")}`, faultStatus)
      .option("--retry-after <seconds>", "with --status: a Retry-After header", retryAfter)
      .option("--drop", "close the connection without an answer")
      .option("--slow <ms>", "answer this late", slowMs)
      .option("--processed", "with --status or --drop: process the call first (the message is created)")
      .option("--clear", "forget every fault waiting"),
  ).action(fail);
  targeted(sandbox.command("faults").description("the faults waiting, with the calls each has left")).action(faults);
  targeted(
    sandbox
      .command("reset")
      .description("forget every message, receipt, reply, callback, fault and recorded request (the clock stays)"),
  ).action(reset);
  targeted(
    sandbox
      .command("clock")
      .description("the sandbox's clock; move it forward or change its speed")
      .option("--advance <duration>", "move it forward: 30s, 90m, 2h, 1d", clockStep)
      .option("--to <time>", "move it forward to this ISO 8601 time with a zone", zonedTime)
      .option("--speed <factor>", "run it this many times real time (60: a minute a second)", clockSpeed),
  ).action(clock);
}
