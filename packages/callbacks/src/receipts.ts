// Real-time receipts: a FHIR Task saying what happened to one communication.
// parseReceipt validates the body against our callback spec and returns a
// normalised receipt; it never throws on bad input. The same normalisation
// reads the Tasks of the daily receipt report, so both sources can feed one
// delivery tracker.
import { enums, ruleOf, systems } from "@nhs-app-api/contract";
import type { RealtimeReceipt } from "@nhs-app-api/types/realtime-receipts";
import { type CallbackIssue, issue, type Refused, refused } from "./issues.js";
import { DEFAULT_MAX_BODY_BYTES, neverThrowing, type RawBody, readResource } from "./read-body.js";
import { contractIssues, type Tolerated } from "./schema-validation.js";

/** The receipt codes the spec knows, in its order. */
export const RECEIPT_KINDS = enums.receiptCodes;
/** A known receipt kind, or a code the NHS App adds in future, kept as it came. */
export type ReceiptKind = (typeof RECEIPT_KINDS)[number] | (string & {});

/** A receipt Task's status, as the callback spec or the daily report's spec lists it. */
export type ReceiptStatus = (typeof enums.realtimeReceiptStatuses)[number] | (typeof enums.receiptStatuses)[number];
/**
 * Every status a receipt Task may have: a real-time receipt's (the callback
 * spec's enum) and a report Task's (the NHS App API's), since both are read
 * here. parseReceipt holds a callback to its own spec's list first, through
 * the compiled schema.
 */
export const RECEIPT_STATUSES: readonly ReceiptStatus[] = [
  ...new Set<ReceiptStatus>([...enums.realtimeReceiptStatuses, ...enums.receiptStatuses]),
];
const isReceiptStatus = (value: unknown): value is ReceiptStatus =>
  typeof value === "string" && (RECEIPT_STATUSES as readonly string[]).includes(value);

export interface Receipt {
  /** The NHS App's ID of the communication the receipt is about. */
  communicationId: string;
  kind: ReceiptKind;
  status: ReceiptStatus;
  /** Why it was rejected (statusReason, as `{ text }` or a plain string). */
  reason?: string;
  /** When the original request was received, as an ISO 8601 UTC instant. */
  authoredOn: string;
  /** When this event happened, as an ISO 8601 UTC instant. */
  occurredAt: string;
  campaignId?: string;
  requestReference?: string;
}

/** What parseReceipt returns: the normalised receipt and the body it came from, or why it was refused. */
export type ReceiptResult = { ok: true; receipt: Receipt; raw: RealtimeReceipt } | Refused;

/** The value of the identifier with this system, trimmed (published examples put a space in front). */
export function identifierValue(identifiers: unknown, system: string): string | undefined {
  if (!Array.isArray(identifiers)) return undefined;
  for (const identifier of identifiers) {
    const entry = identifier as { system?: unknown; value?: unknown } | null;
    if (entry?.system === system && typeof entry.value === "string" && entry.value.trim() !== "")
      return entry.value.trim();
  }
  return undefined;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * `date.toISOString()`, built from the UTC fields for four-digit years: V8's
 * own takes about twice as long, and every receipt has two instants.
 */
export function isoInstant(date: Date): string {
  const year = date.getUTCFullYear();
  if (year < 1000 || year > 9999) return date.toISOString();
  return `${year}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())}T${pad2(date.getUTCHours())}:${pad2(
    date.getUTCMinutes(),
  )}:${pad2(date.getUTCSeconds())}.${pad3(date.getUTCMilliseconds())}Z`;
}

/**
 * A time that is already a UTC instant as the NHS App writes it: seconds or
 * milliseconds, `Z` or `+00:00`, on a day that every month has. Such a time
 * is rewritten as text, without a Date (a fifth of the cost); anything else
 * takes the long way.
 */
const PLAIN_UTC =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{3})?(?:Z|\+00:00)$/;
const MILLISECONDS_AT = 19;

/** An ISO 8601 instant in UTC (`Z`), from `...Z` or `...+00:00` alike; undefined when unreadable. */
export function toInstant(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  if (PLAIN_UTC.test(value)) {
    return value.charCodeAt(MILLISECONDS_AT) === 46 /* "." */
      ? `${value.slice(0, MILLISECONDS_AT + 4)}Z`
      : `${value.slice(0, MILLISECONDS_AT)}.000Z`;
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : isoInstant(new Date(time));
}

/**
 * Normalises a receipt Task, from a callback or from the daily report. Checks
 * only what normalisation needs; parseReceipt checks the whole schema first.
 */
export function receiptFromTask(task: unknown): { ok: true; receipt: Receipt } | Refused {
  const t = (task ?? {}) as Record<string, unknown>;
  const issues: CallbackIssue[] = [];
  const communicationId = identifierValue(t.identifier, systems.communicationId);
  if (!communicationId) {
    issues.push(issue("required", `identifier has no ${systems.communicationId} value`, "identifier"));
  }
  const coding = (t.code as { coding?: unknown } | undefined)?.coding;
  const code = Array.isArray(coding) ? (coding[0] as { code?: unknown } | undefined)?.code : undefined;
  if (typeof code !== "string" || code === "")
    issues.push(issue("required", "code.coding[0].code is required", "code.coding[0].code"));
  const authoredOn = toInstant(t.authoredOn);
  const occurredAt = toInstant(t.lastModified);
  if (!authoredOn) issues.push(issue("value", "authoredOn is not a date-time", "authoredOn"));
  if (!occurredAt) issues.push(issue("value", "lastModified is not a date-time", "lastModified"));
  const status = isReceiptStatus(t.status) ? t.status : undefined;
  if (!status) issues.push(issue("value", `status must be ${RECEIPT_STATUSES.join(" or ")}`, "status"));
  if (issues.length > 0 || !communicationId || typeof code !== "string" || !authoredOn || !occurredAt || !status)
    return refused(...issues);
  const statusReason = t.statusReason;
  const reason =
    typeof statusReason === "string"
      ? statusReason
      : typeof (statusReason as { text?: unknown })?.text === "string"
        ? (statusReason as { text: string }).text
        : undefined;
  const campaignId = identifierValue(t.identifier, systems.campaignId);
  const requestReference = identifierValue(t.identifier, systems.requestId);
  return {
    ok: true,
    receipt: {
      communicationId,
      kind: code,
      status,
      ...(reason ? { reason } : {}),
      authoredOn,
      occurredAt,
      ...(campaignId ? { campaignId } : {}),
      ...(requestReference ? { requestReference } : {}),
    },
  };
}

export interface ParseOptions {
  /** Bodies larger than this are refused (default 64 KiB). */
  maxBodyBytes?: number;
}

/** Problems a receipt may carry on purpose: a future receipt code, and statusReason as a plain string. */
const tolerated: Tolerated = (problem, body) =>
  (ruleOf(problem) === "enum" && /^code\.coding\[\d+\]\.code$/.test(problem.expression?.[0] ?? "")) ||
  (problem.expression?.[0] === "statusReason" && typeof body.statusReason === "string");

/** Parses a real-time receipt: raw text, a Buffer, or an already parsed object. Never throws. */
export function parseReceipt(body: RawBody, options: ParseOptions = {}): ReceiptResult {
  return neverThrowing(readReceipt, body, options);
}

function readReceipt(body: RawBody, options: ParseOptions): ReceiptResult {
  const resource = readResource(body, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, "Task");
  if (!resource.ok) return resource;
  const issues = contractIssues("create-realtime-receipt", resource.value, tolerated);
  if (issues.length > 0) return refused(...issues);
  const normalised = receiptFromTask(resource.value);
  return normalised.ok
    ? { ok: true, receipt: normalised.receipt, raw: resource.value as unknown as RealtimeReceipt }
    : normalised;
}
