// Reading the daily receipt report and the patient report, one page at a
// time or all pages through async iterators.
import type { PatientReportEntry, Receipt, ReceiptReport } from "@nhs-app-api/types";
import {
  bodyOf,
  type CallOptions,
  type ClientCore,
  correlationIdOf,
  exchange,
  failure,
  fetchFor,
  startCall,
  unexpected,
} from "./core.js";
import { PaginationError } from "./errors/errors.js";
import { linksFromBundle, linksFromHeader, mergeLinks, pageNumberOf } from "./pagination/links.js";
import { type Page, PageIterable } from "./pagination/page-iterable.js";
import { redactUrl } from "./redaction.js";
import {
  formatDay,
  MAX_PAGE,
  type ReportDay,
  validatePatientReportQuery,
  validateReceiptReportQuery,
} from "./validation/report-parameters.js";

export interface ReceiptReportPage extends Page<Receipt> {
  /** The page as the API sent it: a FHIR searchset Bundle. */
  bundle: ReceiptReport;
  status: number;
}

export interface PatientReportPage extends Page<PatientReportEntry> {
  status: number;
}

const RECEIPTS_PATH = "/communication/report/receipts/FHIR/R4/Task";
const PATIENTS_PATH = "/communication/report/patients";

export interface ReceiptReportQuery {
  /** The report's calendar day, YYYY-MM-DD (a Date gives its UTC date). */
  day: ReportDay;
  /** From 1; the first page when absent. */
  page?: number;
}

export interface PatientReportQuery {
  /** The GP practice's ODS code, e.g. A12345 (any case). */
  odsCode: string;
  page?: number;
}

export async function getReceiptReport(core: ClientCore, query: ReceiptReportQuery, options: CallOptions = {}) {
  if (options.validate ?? core.config.validate) validateReceiptReportQuery(query);
  const context = startCall(core, "get-receipt-report", options);
  const day = formatDay(query.day);
  const { response, data, error } = await exchange(context, () =>
    core.raw.GET(RECEIPTS_PATH, {
      params: { query: { day, ...(query.page === undefined ? {} : { page: query.page }) } },
      parseAs: "text",
      fetch: fetchFor(core, context),
    }),
  );
  const body = bodyOf(response, data, error);
  if (!response.ok) throw failure("GET", response, body, context);
  if (!isBundle(body)) throw unexpected("GET", response, context, "its body is not a Bundle of receipts");
  const links = mergeLinks(linksFromHeader(response.headers.get("link")), linksFromBundle(body));
  const page: ReceiptReportPage = {
    items: body.entry.map((entry) => entry.resource),
    bundle: body,
    links,
    page: query.page ?? 1,
    lastPage: pageNumberOf(links.last),
    correlationId: correlationIdOf(response, context),
    status: response.status,
  };
  return page;
}

export async function getPatientReport(core: ClientCore, query: PatientReportQuery, options: CallOptions = {}) {
  if (options.validate ?? core.config.validate) validatePatientReportQuery(query);
  const context = startCall(core, "get-patient-report", options);
  const { response, data, error } = await exchange(context, () =>
    core.raw.GET(PATIENTS_PATH, {
      params: {
        query: { "ods-organisation-code": query.odsCode, ...(query.page === undefined ? {} : { page: query.page }) },
      },
      parseAs: "text",
      fetch: fetchFor(core, context),
    }),
  );
  const body = bodyOf(response, data, error);
  if (!response.ok) throw failure("GET", response, body, context);
  if (!Array.isArray(body)) throw unexpected("GET", response, context, "its body is not a list of patients");
  const links = linksFromHeader(response.headers.get("link"));
  const page: PatientReportPage = {
    items: body.map(normalisePatient),
    links,
    page: query.page ?? 1,
    lastPage: pageNumberOf(links.last),
    correlationId: correlationIdOf(response, context),
    status: response.status,
  };
  return page;
}

function isBundle(body: unknown): body is ReceiptReport {
  return (
    typeof body === "object" &&
    body !== null &&
    (body as { resourceType?: unknown }).resourceType === "Bundle" &&
    Array.isArray((body as { entry?: unknown }).entry)
  );
}

/** Some environments send `NhsNumber` and `"true"`; the report's schema says `nhsNumber` and `true`. */
function normalisePatient(raw: unknown): PatientReportEntry {
  const entry = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  const nhsNumber = entry.nhsNumber ?? entry.NhsNumber;
  const enabled = entry.notificationsEnabled ?? entry.NotificationsEnabled;
  const notificationsEnabled = enabled === "true" ? true : enabled === "false" ? false : enabled;
  return {
    ...(typeof nhsNumber === "string" ? { nhsNumber } : {}),
    ...(typeof notificationsEnabled === "boolean" ? { notificationsEnabled } : {}),
  };
}

/** The query of a next link, checked to be the same report (same path) with a sensible page number. */
function nextQuery(next: URL, core: ClientCore, path: string, operation: string, key: string) {
  const expected = `${new URL(core.config.baseUrl).pathname.replace(/\/$/, "")}${path}`;
  const page = next.searchParams.get("page");
  const value = next.searchParams.get(key);
  const pageNumber = page !== null && /^\d+$/.test(page) ? Number(page) : Number.NaN;
  if (next.pathname.replace(/\/$/, "") !== expected || value === null || !(pageNumber >= 1 && pageNumber <= MAX_PAGE)) {
    throw new PaginationError(`${operation} returned a next link that is not a page of the same report`, {
      request: { method: "GET", url: redactUrl(next.href), operation },
    });
  }
  return { value, page: pageNumber };
}

/**
 * `pages(key)` and `items(key)` for one report: the first page is fetched with
 * the caller's key (day or ODS code), each next page with what its link says.
 */
function reportIterators<Key, Item>(
  core: ClientCore,
  report: { path: string; operation: string; parameter: string },
  fetchPage: (key: Key | string, page: number | undefined, options: CallOptions) => Promise<Page<Item>>,
) {
  const pages = (key: Key, options: CallOptions = {}) =>
    new PageIterable<Item>(
      async (next) => {
        if (!next) return fetchPage(key, undefined, options);
        const { value, page } = nextQuery(next, core, report.path, report.operation, report.parameter);
        return fetchPage(value, page, options);
      },
      core.config.baseUrl,
      report.operation,
    );
  return { pages, items: (key: Key, options: CallOptions = {}) => pages(key, options).items() };
}

export const receiptIterators = (core: ClientCore) =>
  reportIterators<ReportDay, Receipt>(
    core,
    { path: RECEIPTS_PATH, operation: "get-receipt-report", parameter: "day" },
    (day, page, options) => getReceiptReport(core, { day, ...(page === undefined ? {} : { page }) }, options),
  );

export const patientIterators = (core: ClientCore) =>
  reportIterators<string, PatientReportEntry>(
    core,
    { path: PATIENTS_PATH, operation: "get-patient-report", parameter: "ods-organisation-code" },
    (odsCode, page, options) => getPatientReport(core, { odsCode, ...(page === undefined ? {} : { page }) }, options),
  );
