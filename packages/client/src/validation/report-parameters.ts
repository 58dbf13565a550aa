// The report parameters, checked as the server checks them: `day` is a real
// calendar date written YYYY-MM-DD, `page` a whole number from 1 to
// 2147483647, the ODS code a GP practice code.
import { ClientValidationError } from "../errors/errors.js";
import { IssueList } from "./issues.js";
import { isValidPracticeOdsCode } from "./ods-code.js";

export const MAX_PAGE = 2_147_483_647;

/** A report day: `"2024-03-01"`, or a Date, of which the UTC calendar date is used. */
export type ReportDay = string | Date;

export function isRealCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Formats a day for the API; a Date gives its UTC calendar date. */
export function formatDay(day: ReportDay): string {
  if (day instanceof Date) return Number.isNaN(day.getTime()) ? "Invalid Date" : day.toISOString().slice(0, 10);
  return day;
}

function checkPage(issues: IssueList, page: unknown) {
  if (page === undefined) return;
  if (typeof page !== "number" || !Number.isInteger(page) || page < 1 || page > MAX_PAGE) {
    issues.add(
      "page",
      `Invalid format: page must be a whole number from 1 to ${MAX_PAGE.toLocaleString("en-GB")}`,
      page,
    );
  }
}

export function validateReceiptReportQuery(query: { day: ReportDay; page?: number | undefined }) {
  const issues = new IssueList();
  const day = query.day;
  if (day === undefined || day === null || day === "") issues.add("day", "Not specified");
  else if (typeof day !== "string" && !(day instanceof Date))
    issues.add("day", "Invalid format: expected YYYY-MM-DD", day);
  else if (!isRealCalendarDate(formatDay(day))) {
    issues.add("day", "Invalid format: expected a real calendar date as YYYY-MM-DD", day);
  }
  checkPage(issues, query.page);
  if (issues.issues.length > 0) throw new ClientValidationError("The receipt report request", issues.issues);
}

export function validatePatientReportQuery(query: { odsCode: string; page?: number | undefined }) {
  const issues = new IssueList();
  const code = query.odsCode;
  if (code === undefined || code === null || code === "") issues.add("ods-organisation-code", "Not specified");
  else if (typeof code !== "string" || !isValidPracticeOdsCode(code)) {
    issues.add(
      "ods-organisation-code",
      "Invalid format: expected a GP practice ODS code such as A12345 (or A1B2C)",
      code,
    );
  }
  checkPage(issues, query.page);
  if (issues.issues.length > 0) throw new ClientValidationError("The patient report request", issues.issues);
}
