// Argument parsers for commander: a bad value becomes commander's own
// one-line "argument 'abc' is invalid" usage error, before any command runs.
import { enums, operations } from "@nhs-app-api/contract";
import { FAULT_STATUSES, MAX_FAULT_COUNT, MAX_MESSAGES_LISTED, MAX_SLOW_MS, parseDuration } from "@nhs-app-api/testing";
import { InvalidArgumentError } from "commander";

function wholeNumber(value: string, min: number, max: number, what: string): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new InvalidArgumentError(`${what} must be a whole number from ${min} to ${max}.`);
  }
  return Number(value);
}

/** A TCP port; 0 asks the system for a free one. */
export const port = (value: string) => wholeNumber(value, 0, 65535, "A port");

/** A count of at least 1 (pages, say). */
export const positiveInteger = (value: string) => wholeNumber(value, 1, 1_000_000, "It");

/** A duration in milliseconds, at least 1 ms and at most 10 minutes. */
export const milliseconds = (value: string) => wholeNumber(value, 1, 600_000, "A time in milliseconds");

/** A delay in milliseconds, 0 (at once) to 10 minutes. */
export const delay = (value: string) => wholeNumber(value, 0, 600_000, "A time in milliseconds");

/** A duration in seconds, at least 1 s and at most a day. */
export const seconds = (value: string) => wholeNumber(value, 1, 86_400, "A time in seconds");

/** A value that must be more than white space (a key, a keyword). */
function filled(what: string) {
  return (value: string) => {
    if (value.trim() === "") throw new InvalidArgumentError(`${what} must not be empty.`);
    return value;
  };
}

/** The platform's status key, which `_status` wants. */
export const statusKey = filled("A status key");

/** A reply keyword (the code of an answer option). */
export const keyword = filled("A keyword");

/** A repeatable option's values, in the order given. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** A certificate's lifetime in days: at least a day, at most about ten years. */
export const days = (value: string) => wholeNumber(value, 1, 3650, "A number of days");

/** A rate in requests a second: more than 0 (0.5 is one every two seconds), at most 1000. */
export function perSecond(value: string): number {
  const rate = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(rate > 0) || rate > 1000) {
    throw new InvalidArgumentError("A rate must be a number of requests a second, more than 0 and at most 1000.");
  }
  return rate;
}

/** Sends in flight at once. */
export const concurrency = (value: string) => wholeNumber(value, 1, 64, "Concurrency");

/** Free text that must be more than white space (a reply's text). */
export const replyText = filled("The text");

/** Why a receipt is Rejected. */
export const rejectionReason = filled("A reason");

/** An ISO 8601 date-time with a zone (`Z` or `+01:00`), as epoch milliseconds: where a sandbox clock starts or goes. */
export function zonedTime(value: string): number {
  const text = value.trim();
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text)
    ? Date.parse(text)
    : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new InvalidArgumentError("A time must be an ISO 8601 date-time with a zone, such as 2026-12-05T06:00:00Z.");
  }
  return ms;
}

/** How fast a sandbox clock runs against real time: above 0 (0.5 is half speed, 60 a minute a second), at most 1000000. */
export function clockSpeed(value: string): number {
  const speed = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(speed > 0) || speed > 1_000_000) {
    throw new InvalidArgumentError("A speed must be a number above 0 and at most 1000000 (1 is real time).");
  }
  return speed;
}

/** How far to move a sandbox clock: a number and a unit, such as 30s, 90m, 2h or 1d (sent as given, read as the sandbox reads it). */
export function clockStep(value: string): string {
  try {
    parseDuration(value);
  } catch {
    throw new InvalidArgumentError("A duration is a number and a unit (s, m, h or d), such as 30s, 90m, 2h or 1d.");
  }
  return value.trim();
}

/** How many messages to list: 1 to the most the sandbox lists at once. */
export const messageLimit = (value: string) => wholeNumber(value, 1, MAX_MESSAGES_LISTED, "A limit");

/** A receipt code of the contract (`enums.receiptCodes`). */
export function receiptCode(value: string): string {
  const codes: readonly string[] = enums.receiptCodes;
  if (!codes.includes(value)) throw new InvalidArgumentError(`A receipt is one of ${codes.join(", ")}.`);
  return value;
}

/** The operations a sandbox fault may name: the NHS App API's operation IDs, and `token` for the token endpoint. */
export const FAULT_OPERATION_NAMES: readonly string[] = [
  ...Object.entries(operations)
    .filter(([, operation]) => operation.document === "nhs-app")
    .map(([id]) => id),
  "token",
];

export function faultOperation(value: string): string {
  if (!FAULT_OPERATION_NAMES.includes(value)) {
    throw new InvalidArgumentError(`The operation is one of ${FAULT_OPERATION_NAMES.join(", ")}.`);
  }
  return value;
}

/** A status a sandbox fault answers with. */
export function faultStatus(value: string): number {
  const statuses: readonly number[] = FAULT_STATUSES;
  if (!/^\d+$/.test(value) || !statuses.includes(Number(value))) {
    throw new InvalidArgumentError(`A status is one of ${statuses.join(", ")}.`);
  }
  return Number(value);
}

/** How many calls a sandbox fault applies to. */
export const faultCount = (value: string) => wholeNumber(value, 1, MAX_FAULT_COUNT, "A count");

/** A Retry-After in seconds, 0 to a day. */
export const retryAfter = (value: string) => wholeNumber(value, 0, 86_400, "A Retry-After in seconds");

/** How late a slow answer comes, in milliseconds. */
export const slowMs = (value: string) => wholeNumber(value, 1, MAX_SLOW_MS, "A delay in milliseconds");
