// The rules of the NHS App API that JSON Schema cannot state, in one place,
// in the server's own words where they are known (contract-notes sections 4
// and 7): the NHS number's check digit, one identifier per recorded system,
// the answers extension that must point at the contained Questionnaire, a
// query parameter given once, what a real calendar date is (the spec's
// `format: date`, which the compiled validators check with this rule), and
// when a day's receipts report is complete (the platform's daily batch). The
// client's validation, the mocks, the sandbox and the callback parsers all
// apply these, after the spec's schema; the sandbox and the campaign batch
// follow the report rule.
// This module reads nothing generated: the generator itself loads it (through
// formats.ts), so it must work before the spec has been generated.
import { type ContractIssue, contractIssue } from "./issues.js";

/** A system the API records, at most once per request, with the server's error for a repeat. */
export interface RecognisedSystem {
  readonly system: string;
  readonly duplicate: string;
}

export const NHS_NUMBER_INVALID = "NHS Number is invalid";

const FULL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * An RFC 3339 full date (YYYY-MM-DD) that exists on the proleptic Gregorian
 * calendar, any year from 0000 to 9999: 2024-02-29 and 0006-07-06 are dates,
 * 2023-02-29 is not. (JavaScript's Date would read years 0-99 as 1900-1999.)
 */
export function isCalendarDate(value: string): boolean {
  const match = FULL_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return days !== undefined && day >= 1 && day <= days;
}
/** The platform's rule for when a day's receipts report is complete, in words (the sandbox's clock says it). */
export const RECEIPT_REPORT_RULE = "a day's receipts report is complete from the next day (UTC)";

const timeOf = (now: Date | number) => (typeof now === "number" ? now : now.getTime());

/**
 * The UTC calendar date (YYYY-MM-DD) of a moment: "today" by a clock. For
 * years 0000 to 9999; throws a RangeError for an invalid time.
 */
export function utcDayOf(now: Date | number): string {
  return new Date(timeOf(now)).toISOString().slice(0, 10);
}

/**
 * Whether a day's receipts report is complete at `now`: the NHS App builds
 * each day's report in a daily batch, so it is complete from 00:00 UTC of
 * the next day (the report of today, or of a day to come, may still grow).
 * A string that is no calendar date (isCalendarDate) names no report, and an
 * invalid time proves nothing: both give false, never "complete".
 */
export function isReceiptReportComplete(day: string, now: Date | number): boolean {
  if (!isCalendarDate(day)) return false;
  const [year, month, date] = day.split("-").map(Number) as [number, number, number];
  // setUTCFullYear, not Date.UTC, which reads years 0-99 as 1900-1999; date + 1 rolls over months and years.
  const nextDay = new Date(0);
  nextDay.setUTCFullYear(year, month - 1, date + 1);
  return timeOf(now) >= nextDay.getTime();
}
const NHS_NUMBER_WEIGHTS = [10, 9, 8, 7, 6, 5, 4, 3, 2] as const;

/**
 * Ten digits whose last is the Modulus 11 check digit of the other nine
 * (NHS Data Dictionary, NHS NUMBER). A check that computes to 10 means no
 * valid number has those nine digits.
 */
export function isValidNhsNumber(value: string): boolean {
  if (!/^\d{10}$/.test(value)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(value[i]) * (NHS_NUMBER_WEIGHTS[i] as number);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(value[9]);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const field = (value: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>(
    (node, key) =>
      typeof key === "number" ? (Array.isArray(node) ? node[key] : undefined) : isRecord(node) ? node[key] : undefined,
    value,
  );

/**
 * The check digit of an NHS number the schema found well formed (ten
 * digits); a malformed one is already reported, with the same words.
 */
function nhsNumberCheckDigit(value: unknown, expression: string): ContractIssue[] {
  return typeof value === "string" && /^\d{10}$/.test(value) && !isValidNhsNumber(value)
    ? [contractIssue(expression, NHS_NUMBER_INVALID, "nhs-number-check-digit", value)]
    : [];
}

/** A recorded system given twice: "Multiple Campaign IDs specified", at `identifier`. */
export function oneIdentifierPerSystem(identifiers: unknown, systems: readonly RecognisedSystem[]): ContractIssue[] {
  if (!Array.isArray(identifiers)) return [];
  const issues: ContractIssue[] = [];
  for (const recognised of systems) {
    const count = identifiers.filter((identifier) => field(identifier, "system") === recognised.system).length;
    if (count > 1) issues.push(contractIssue("identifier", recognised.duplicate, "one-identifier-per-system"));
  }
  return issues;
}

/**
 * The answers extension comes with a contained Questionnaire, and only with
 * one, and points at it as `#id`. (The server's wording for these is not
 * published; these words are the project's.)
 */
export function answersPointAtQuestionnaire(message: Record<string, unknown>): ContractIssue[] {
  const { contained, extension } = message;
  if (contained === undefined && extension !== undefined) {
    return [contractIssue("extension", "The answers extension needs a contained Questionnaire", "answers-extension")];
  }
  if (contained !== undefined && extension === undefined) {
    return [contractIssue("extension", "A contained Questionnaire needs the answers extension", "answers-extension")];
  }
  const id = field(contained, 0, "id");
  const reference = field(extension, 0, "valueReference", "reference");
  if (typeof id === "string" && id !== "" && typeof reference === "string" && reference !== `#${id}`) {
    return [
      contractIssue(
        "extension[0].valueReference.reference",
        `The answers extension must refer to the contained Questionnaire as #${id}`,
        "answers-extension",
        reference,
      ),
    ];
  }
  return [];
}

/** In-app messages and push notifications: CommunicationRequests sent to the API. */
export function communicationRequestRules(body: unknown, systems: readonly RecognisedSystem[]): ContractIssue[] {
  if (!isRecord(body)) return [];
  return [
    ...oneIdentifierPerSystem(body.identifier, systems),
    ...nhsNumberCheckDigit(field(body, "recipient", 0, "identifier", "value"), "recipient[0].identifier.value"),
  ];
}

/** An in-app message: a CommunicationRequest, and its reply Questionnaire and answers extension together. */
export function inAppMessageRules(body: unknown, systems: readonly RecognisedSystem[]): ContractIssue[] {
  return isRecord(body) ? [...communicationRequestRules(body, systems), ...answersPointAtQuestionnaire(body)] : [];
}

/** A patient's reply, pushed to the supplier: the patient's NHS number is a real one. */
export function replyRules(body: unknown): ContractIssue[] {
  return nhsNumberCheckDigit(field(body, "requester", "identifier", "value"), "requester.identifier.value");
}

/** A query parameter given more than once: the server wants a single value. */
export function singleValuedParameters(query: ReadonlyMap<string, readonly string[]>): ContractIssue[] {
  return [...query]
    .filter(([, values]) => values.length > 1)
    .map(([name]) => contractIssue(name, "A single value is expected", "single-value"));
}
