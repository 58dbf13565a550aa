// The report parameters. A caller's query (a day as text or a Date, a page
// number, an ODS code) is first written as it will go on the wire, then
// checked by the contract exactly as the mocks check what arrives: `day` a
// real calendar date, `page` a whole number in the spec's range, the ODS code
// a GP practice code, each given once. Anything a JavaScript caller passes,
// null included, ends in a ClientValidationError, never a TypeError.
import { isCalendarDate, type OperationId, queryIssues } from "@nhs-app-api/contract";
import { ClientValidationError } from "../errors/errors.js";

/** A report day: `"2024-03-01"`, or a Date, of which the UTC calendar date is used. */
export type ReportDay = string | Date;

/** Whether a text is a real calendar date written YYYY-MM-DD (years 0000 to 9999). */
export const isRealCalendarDate = (value: string) => isCalendarDate(value);

/** Formats a day for the API; a Date gives its UTC calendar date. */
export function formatDay(day: ReportDay): string {
  if (day instanceof Date) return Number.isNaN(day.getTime()) ? "Invalid Date" : day.toISOString().slice(0, 10);
  return day;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A parameter's value as it goes on the wire; absent stays absent. Never
 * throws: a value with no way to become text (`Object.create(null)`, a
 * toString that throws) is written as its tag, which the contract then
 * refuses, so the caller gets a ClientValidationError, not a TypeError.
 */
function onTheWire(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return formatDay(value);
  if (typeof value === "string") return value;
  try {
    return String(value);
  } catch {
    return UNREADABLE;
  }
}

/** What a value that cannot be read or written as text goes as: no parameter's format allows it. */
const UNREADABLE = "[unreadable]";

export interface WireQuery {
  [name: string]: string;
}

const receiptNames = { day: "day", page: "page" } as const;
const patientNames = { odsCode: "ods-organisation-code", page: "page" } as const;

/** The query as it goes on the wire: each caller's name mapped to the API's, absent values left out. */
function toWire(query: unknown, names: Readonly<Record<string, string>>): WireQuery {
  let given: Record<string, unknown> = {};
  try {
    if (isRecord(query)) given = query;
  } catch {
    // A Proxy whose traps throw is as good as no query: every required parameter is then missing.
  }
  const wire: WireQuery = {};
  for (const [name, wireName] of Object.entries(names)) {
    let value: string | undefined;
    try {
      value = onTheWire(given[name]);
    } catch {
      // A getter or a Proxy that throws: refused like any other value the contract does not allow.
      value = UNREADABLE;
    }
    if (value !== undefined) wire[wireName] = value;
  }
  return wire;
}

/** Every problem with a receipt report query, as the server would report it, or an empty list. */
export const receiptReportQueryIssues = (query: unknown) =>
  queryIssues("get-receipt-report", toWire(query, receiptNames));

/** Every problem with a patient report query, as the server would report it, or an empty list. */
export const patientReportQueryIssues = (query: unknown) =>
  queryIssues("get-patient-report", toWire(query, patientNames));

function checked(operation: OperationId, what: string, wire: WireQuery, validate: boolean) {
  if (validate) {
    const issues = queryIssues(operation, wire);
    if (issues.length > 0) throw new ClientValidationError(what, issues);
  }
  return wire;
}

/** The receipt report's query as sent (`day` and, when given, `page`), checked unless told not to. */
export const receiptReportWireQuery = (query: unknown, validate: boolean) =>
  checked("get-receipt-report", "The receipt report request", toWire(query, receiptNames), validate);

/** The patient report's query as sent (`ods-organisation-code` and, when given, `page`), checked unless told not to. */
export const patientReportWireQuery = (query: unknown, validate: boolean) =>
  checked("get-patient-report", "The patient report request", toWire(query, patientNames), validate);
