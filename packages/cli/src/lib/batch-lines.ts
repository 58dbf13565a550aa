// The lines of a batch file (NDJSON): each a whole message, or the fields the
// client's builders take. A line that is not a message is refused by its
// line number and the rest go on; its text is never quoted (it may hold an
// NHS number). The contract's own checks are left to sendBatch, which
// refuses an invalid message before sending it.
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import type { CampaignMessage } from "@nhs-app-api/campaigns";
import { freeTextReply, inAppMessage, keywordReply, pushNotification } from "@nhs-app-api/client";
import { fileProblem } from "./files.js";

/** A well-formed line: the message and where it was. */
export interface BatchLine {
  line: number;
  message: CampaignMessage;
}

/** A line that is not a message: refused, never sent. */
export interface MalformedLine {
  line: number;
  /** Its reference, when the line is an object with a usable one. */
  requestReference?: string;
  reason: string;
}

/** What a batch file is, read once before anything is sent: which campaign it is, and how long. */
export interface BatchFileSummary {
  /** `sha256:<hex>` of the file's bytes: the campaign's source, which its journal records. */
  source: string;
  /** Lines in the file (blank ones included). */
  lines: number;
  /** Whether any line holds more than white space. */
  hasContent: boolean;
}

const MESSAGE_FIELDS = ["kind", "requestReference", "message"];
const BUILDER_FIELDS = {
  "in-app": [
    "kind",
    "requestReference",
    "nhsNumber",
    "odsCode",
    "text",
    "keywords",
    "freeTextReply",
    "campaignId",
    "onBehalfOf",
  ],
  push: ["kind", "requestReference", "nhsNumber", "text", "url", "campaignId", "onBehalfOf"],
} as const;
const REQUIRED = { "in-app": ["nhsNumber", "odsCode", "text"], push: ["nhsNumber", "text", "url"] } as const;

type Parsed = { message: CampaignMessage } | { reason: string; requestReference?: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Where V8 says the JSON broke, as a column; nothing of the text itself. */
function jsonProblem(error: unknown): string {
  const position = /position (\d+)/.exec(error instanceof Error ? error.message : "")?.[1];
  if (position !== undefined) return `not valid JSON (at column ${Number(position) + 1})`;
  return /end of JSON input/.test(String(error)) ? "not valid JSON (it ends too soon)" : "not valid JSON";
}

/** The message a line's builder fields describe, or why they do not describe one. */
function fromBuilderFields(kind: "in-app" | "push", line: Record<string, unknown>): CampaignMessage | string {
  const unknown = Object.keys(line).filter((name) => !(BUILDER_FIELDS[kind] as readonly string[]).includes(name));
  if (unknown.length > 0) return `unknown field${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} for ${kind}`;
  const missing = REQUIRED[kind].filter((name) => line[name] === undefined);
  if (missing.length > 0) return `missing ${missing.join(", ")} (or give the whole message as "message")`;
  const strings = ["nhsNumber", "odsCode", "text", "url", "campaignId", "onBehalfOf"];
  const notString = strings.filter((name) => line[name] !== undefined && typeof line[name] !== "string");
  if (notString.length > 0) return `${notString.join(", ")} must be text`;
  const text = (name: string) => line[name] as string;
  const ids = {
    ...(line.campaignId === undefined ? {} : { campaignId: text("campaignId") }),
    ...(line.onBehalfOf === undefined ? {} : { onBehalfOf: text("onBehalfOf") }),
  };
  const requestReference = text("requestReference");
  if (kind === "push") {
    const message = pushNotification({ nhsNumber: text("nhsNumber"), text: text("text"), url: text("url"), ...ids });
    return { kind, requestReference, message };
  }
  const { keywords, freeTextReply: freeText } = line;
  if (keywords !== undefined && (!Array.isArray(keywords) || !keywords.every((k) => typeof k === "string"))) {
    return "keywords must be a list of words";
  }
  if (freeText !== undefined && typeof freeText !== "boolean") return "freeTextReply must be true or false";
  if (keywords !== undefined && freeText === true) return "choose keywords or freeTextReply, not both";
  const reply = keywords !== undefined ? keywordReply(keywords) : freeText ? freeTextReply() : undefined;
  const message = inAppMessage({
    nhsNumber: text("nhsNumber"),
    odsCode: text("odsCode"),
    text: text("text"),
    ...(reply ? { reply } : {}),
    ...ids,
  });
  return { kind, requestReference, message };
}

/** One line's text as a message, or why it is not one. */
export function parseBatchLine(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { reason: jsonProblem(error) };
  }
  if (!isObject(value)) return { reason: "not a JSON object" };
  const { kind, requestReference } = value;
  if (typeof requestReference !== "string" || requestReference.trim() === "") {
    return { reason: "requestReference is missing or not text" };
  }
  const refused = (reason: string): Parsed => ({ reason, requestReference });
  if (kind !== "in-app" && kind !== "push") return refused('kind must be "in-app" or "push"');
  if (value.message === undefined) {
    const built = fromBuilderFields(kind, value);
    return typeof built === "string" ? refused(built) : { message: built };
  }
  const extra = Object.keys(value).filter((name) => !MESSAGE_FIELDS.includes(name));
  if (extra.length > 0)
    return refused(`a line with "message" has only kind and requestReference beside it, not ${extra.join(", ")}`);
  if (!isObject(value.message)) return refused("message must be a JSON object (a CommunicationRequest)");
  // The body's shape is the contract's to judge: sendBatch validates it before sending.
  return { message: { kind, requestReference, message: value.message } as CampaignMessage };
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The longest line read: a message is a few kilobytes; a whole file on one line is not a message. */
export const MAX_LINE_BYTES = 1 << 20;

/** A line longer than MAX_LINE_BYTES: skipped to its end, never held whole. */
const TOO_LONG = Symbol("too long");

/**
 * The file's lines as bytes, one at a time, so that a large campaign is never
 * held twice, and a line over MAX_LINE_BYTES is never held at all.
 */
async function* byteLines(path: string): AsyncGenerator<Buffer | typeof TOO_LONG> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "r");
  } catch (error) {
    throw fileProblem(path, "the batch file", error);
  }
  try {
    // The start of the current line, in parts (a line may span chunks), and its length so far.
    let parts: Buffer[] = [];
    let length = 0;
    let tooLong = false;
    for await (const chunk of handle.createReadStream({ autoClose: false }) as AsyncIterable<Buffer>) {
      let from = 0;
      for (let end = chunk.indexOf(0x0a); end !== -1; end = chunk.indexOf(0x0a, from)) {
        if (tooLong || length + (end - from) > MAX_LINE_BYTES) yield TOO_LONG;
        else
          yield parts.length === 0 ? chunk.subarray(from, end) : Buffer.concat([...parts, chunk.subarray(from, end)]);
        parts = [];
        length = 0;
        tooLong = false;
        from = end + 1;
      }
      const rest = chunk.length - from;
      if (rest > 0 && !tooLong) {
        if (length + rest > MAX_LINE_BYTES) {
          tooLong = true;
          parts = [];
        } else {
          parts.push(chunk.subarray(from));
          length += rest;
        }
      }
    }
    if (tooLong) yield TOO_LONG;
    else if (length > 0) yield Buffer.concat(parts);
  } catch (error) {
    throw fileProblem(path, "the batch file", error);
  } finally {
    await handle.close();
  }
}

const NEWLINE = 0x0a;
/** Bytes that leave a line blank: space, tab, CR, LF, and those of a UTF-8 byte-order mark. */
const BLANK = new Set([0x20, 0x09, 0x0d, 0x0a, 0xef, 0xbb, 0xbf]);

/**
 * Reads the file once, fast (no parsing): its digest, its line count, and
 * whether it holds anything. A campaign file of 100 MB takes well under a
 * second, and nothing of it is kept.
 */
export async function summariseBatchFile(path: string): Promise<BatchFileSummary> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "r");
  } catch (error) {
    throw fileProblem(path, "the batch file", error);
  }
  const hash = createHash("sha256");
  let lines = 0;
  let hasContent = false;
  let endsWithNewline = true;
  // One buffer, read into again and again: a stream's fresh chunk each time would leave 100 MB of garbage
  // for a 100 MB file, which the process's peak memory would show.
  const buffer = Buffer.allocUnsafe(1 << 20);
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) lines++;
      endsWithNewline = chunk[bytesRead - 1] === NEWLINE;
      if (!hasContent) hasContent = chunk.some((byte) => !BLANK.has(byte));
    }
  } catch (error) {
    throw fileProblem(path, "the batch file", error);
  } finally {
    await handle.close();
  }
  return { source: `sha256:${hash.digest("hex")}`, lines: lines + (endsWithNewline ? 0 : 1), hasContent };
}

/** One line of the file as read: a message, a line refused, or a blank line (skipped). */
export type ReadLine = BatchLine | { line: number; malformed: MalformedLine } | { line: number; blank: true };

/** The lines of the batch file one at a time, so that a campaign of any size is never held in memory. */
export async function* batchLines(path: string): AsyncGenerator<ReadLine> {
  let line = 0;
  for await (const bytes of byteLines(path)) {
    line++;
    if (bytes === TOO_LONG) {
      yield { line, malformed: { line, reason: `longer than ${MAX_LINE_BYTES / (1 << 20)} MB: not read` } };
      continue;
    }
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      yield { line, malformed: { line, reason: "not UTF-8 text" } };
      continue;
    }
    if (line === 1) text = text.replace(/^\uFEFF/, "");
    if (text.trim() === "") {
      yield { line, blank: true };
      continue;
    }
    const parsed = parseBatchLine(text);
    if ("message" in parsed) yield { line, message: parsed.message };
    else yield { line, malformed: { line, ...parsed } };
  }
}
