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

/** A parameter's value as it goes on the wire; absent stays absent. */
function onTheWire(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return formatDay(value);
  return typeof value === "string" ? value : String(value);
}

export interface WireQuery {
  [name: string]: string;
}

function wireQuery(
  operation: OperationId,
  what: string,
  query: unknown,
  names: Record<string, string>,
  validate: boolean,
) {
  const given = isRecord(query) ? query : {};
  const wire: WireQuery = {};
  for (const [name, wireName] of Object.entries(names)) {
    const value = onTheWire(given[name]);
    if (value !== undefined) wire[wireName] = value;
  }
  if (validate) {
    const issues = queryIssues(operation, wire);
    if (issues.length > 0) throw new ClientValidationError(what, issues);
  }
  return wire;
}

/** The receipt report's query as sent: `day` and, when given, `page`. */
export const receiptReportWireQuery = (query: unknown, validate: boolean) =>
  wireQuery("get-receipt-report", "The receipt report request", query, { day: "day", page: "page" }, validate);

/** The patient report's query as sent: `ods-organisation-code` and, when given, `page`. */
export const patientReportWireQuery = (query: unknown, validate: boolean) =>
  wireQuery(
    "get-patient-report",
    "The patient report request",
    query,
    { odsCode: "ods-organisation-code", page: "page" },
    validate,
  );
