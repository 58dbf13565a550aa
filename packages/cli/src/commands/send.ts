// `nhs-app send in-app|push`: build a message from flags (with the client's
// builders) or take a whole CommunicationRequest from --file, check it as the
// server would, then send it, or with --dry-run only say whether it is valid.
import {
  freeTextReply,
  type InAppMessageInput,
  inAppMessage,
  keywordReply,
  type NhsAppClient,
  type PushNotificationInput,
  pushNotification,
} from "@nhs-app-api/client";
import type { Command } from "commander";
import { bodyIssues, KIND_NAMES } from "../lib/body-kinds.js";
import { fromClientError } from "../lib/client-errors.js";
import { connect } from "../lib/connect.js";
import { addConnectionOptions, type ConnectionFlags } from "../lib/connection-options.js";
import { failure, silentFailure, usageError } from "../lib/errors.js";
import { parseJson, readBytes } from "../lib/files.js";
import { issueJson, issueLine } from "../lib/issues.js";
import { out } from "../lib/output.js";
import { collect } from "../lib/parsers.js";
import { registerSendBatch } from "./send-batch.js";

interface CommonFlags extends ConnectionFlags {
  file?: string;
  dryRun?: boolean;
  json?: boolean;
  correlationId?: string;
  campaignId?: string;
  requestRef?: string;
  onBehalfOf?: string;
}

interface InAppFlags extends CommonFlags {
  nhsNumber?: string;
  ods?: string;
  text?: string;
  keyword?: string[];
  freeTextReply?: boolean;
}

interface PushFlags extends CommonFlags {
  nhsNumber?: string;
  text?: string;
  url?: string;
}

type InAppBody = Parameters<NhsAppClient["sendInAppMessage"]>[0];
type PushBody = Parameters<NhsAppClient["sendPushNotification"]>[0];

/** The optional identifiers, only those given (exactOptionalPropertyTypes: absent, not undefined). */
const identifiersOf = (flags: CommonFlags) => ({
  ...(flags.campaignId === undefined ? {} : { campaignId: flags.campaignId }),
  ...(flags.requestRef === undefined ? {} : { requestId: flags.requestRef }),
  ...(flags.onBehalfOf === undefined ? {} : { onBehalfOf: flags.onBehalfOf }),
});

/** The flags that build a message: with --file they would be ignored, so they are refused. */
function refuseWithFile(flags: object, builderFlags: readonly string[]) {
  const given = builderFlags.filter((name) => {
    const value = (flags as Record<string, unknown>)[name];
    return value !== undefined && !(Array.isArray(value) && value.length === 0);
  });
  if (given.length > 0) {
    const names = given.map((name) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    throw usageError(`--file gives the whole message: leave out ${names.join(", ")}`);
  }
}

async function bodyFromFile(path: string): Promise<unknown> {
  const parsed = parseJson(await readBytes(path, "the message file"));
  if (!parsed.ok) throw failure(`the message file ${path} ${parsed.reason}`);
  return parsed.value;
}

function required(flags: object, names: readonly string[]) {
  const missing = names.filter((name) => (flags as Record<string, unknown>)[name] === undefined);
  if (missing.length > 0) {
    const list = missing.map((name) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(", ");
    throw usageError(`missing ${list} (or give the whole message with --file)`);
  }
}

async function inAppBody(flags: InAppFlags): Promise<unknown> {
  const builders = ["nhsNumber", "ods", "text", "keyword", "freeTextReply", "campaignId", "requestRef", "onBehalfOf"];
  if (flags.file !== undefined) {
    refuseWithFile(flags, builders);
    return bodyFromFile(flags.file);
  }
  required(flags, ["nhsNumber", "ods", "text"]);
  const keywords = flags.keyword ?? [];
  if (keywords.length > 0 && flags.freeTextReply) throw usageError("choose --keyword or --free-text-reply, not both");
  const reply = keywords.length > 0 ? keywordReply(keywords) : flags.freeTextReply ? freeTextReply() : undefined;
  const input: InAppMessageInput = {
    nhsNumber: flags.nhsNumber ?? "",
    odsCode: flags.ods ?? "",
    text: flags.text ?? "",
    ...(reply ? { reply } : {}),
    ...identifiersOf(flags),
  };
  return inAppMessage(input);
}

async function pushBody(flags: PushFlags): Promise<unknown> {
  if (flags.file !== undefined) {
    refuseWithFile(flags, ["nhsNumber", "text", "url", "campaignId", "requestRef", "onBehalfOf"]);
    return bodyFromFile(flags.file);
  }
  required(flags, ["nhsNumber", "text", "url"]);
  const input: PushNotificationInput = {
    nhsNumber: flags.nhsNumber ?? "",
    text: flags.text ?? "",
    url: flags.url ?? "",
    ...identifiersOf(flags),
  };
  return pushNotification(input);
}

async function dispatch(kind: "in-app" | "push", body: unknown, flags: CommonFlags): Promise<void> {
  const issues = bodyIssues(kind, body);
  if (flags.dryRun) {
    if (flags.json) {
      await out(
        `${JSON.stringify({ kind, valid: issues.length === 0, issues: issues.map(issueJson), message: body }, null, 2)}\n`,
      );
    } else {
      await out(issues.length === 0 ? "valid\n" : `${issues.map(issueLine).join("\n")}\n`);
    }
    if (issues.length > 0) throw silentFailure();
    return;
  }
  if (issues.length > 0) {
    await out(`${issues.map(issueLine).join("\n")}\n`);
    const count = issues.length === 1 ? "1 issue" : `${issues.length} issues`;
    throw failure(`the ${KIND_NAMES[kind]} is not valid (${count}); nothing was sent`);
  }
  const client = await connect(flags);
  const options = flags.correlationId === undefined ? {} : { correlationId: flags.correlationId };
  // The body was checked above by the same validators the client runs, so the casts hold.
  const sent = await (kind === "in-app"
    ? client.sendInAppMessage(body as InAppBody, options)
    : client.sendPushNotification(body as PushBody, options)
  ).catch((error: unknown) => {
    throw fromClientError(error);
  });
  const { communicationId, correlationId, status, location } = sent;
  if (flags.json) {
    await out(`${JSON.stringify({ communicationId, correlationId, status, location: location ?? null })}\n`);
  } else {
    await out(`sent (${status})\ncommunication ID  ${communicationId}\ncorrelation ID    ${correlationId}\n`);
  }
}

function commonOptions(command: Command): Command {
  return addConnectionOptions(
    command
      .option("--campaign-id <id>", "groups many messages, e.g. one vaccination programme")
      .option("--request-ref <ref>", "your own reference for this message (the request-id identifier)")
      .option("--on-behalf-of <ods>", "the organisation the message is sent for (intermediaries only)")
      .option("--file <path>", "send this whole CommunicationRequest (JSON) instead of building one from flags")
      .option(
        "--dry-run",
        "only check the message: print the issues or `valid`; nothing is sent, no credentials needed",
      )
      .option("--json", "print the result as JSON")
      .option("--correlation-id <id>", "the X-Correlation-ID to send (a new UUID by default)"),
  );
}

export function registerSend(program: Command): void {
  const send = program
    .command("send")
    .description("send an in-app message or a push notification, or a whole campaign of them");

  commonOptions(
    send
      .command("in-app")
      .description("send an in-app message, optionally one the patient can answer")
      .option("--nhs-number <number>", "the patient's NHS number, ten digits")
      .option("--ods <code>", "the ODS code of the organisation sending the message, e.g. B82041")
      .option("--text <text>", "the message, in the NHS App's Markdown subset")
      .option("--keyword <word>", "a keyword the patient can reply with; repeat for each (1 to 6)", collect)
      .option("--free-text-reply", "let the patient reply in their own words"),
  ).action(async (flags: InAppFlags) => dispatch("in-app", await inAppBody(flags), flags));

  commonOptions(
    send
      .command("push")
      .description("send a push notification that opens a page of the NHS App")
      .option("--nhs-number <number>", "the patient's NHS number, ten digits")
      .option("--text <text>", "the notification text: no personal information, no links")
      .option("--url <url>", "the NHS App page to open on tap, an absolute https URL"),
  ).action(async (flags: PushFlags) => dispatch("push", await pushBody(flags), flags));

  registerSendBatch(send);
}
