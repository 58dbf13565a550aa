// Reading the daily receipt report and the patient report, one page at a
// time or all pages through async iterators.
import { operations } from "@nhs-app-api/contract";
import type { PatientReportEntry, Receipt, ReceiptReport } from "@nhs-app-api/types";
import { type CallOptions, type ClientCore, callOperation, traced, unexpected, validates } from "./call.js";
import { wireRequestClass } from "./http/wire-request.js";
import { linksFromBundle, linksFromHeader, mergeLinks, pageNumberOf } from "./pagination/links.js";
import { nextPageOf, type Report } from "./pagination/next-link.js";
import { type Page, PageIterable } from "./pagination/page-iterable.js";
import { patientReportWireQuery, type ReportDay, receiptReportWireQuery } from "./validation/report-parameters.js";

export interface ReceiptReportPage extends Page<Receipt> {
  /** The page as the API sent it: a FHIR searchset Bundle. */
  bundle: ReceiptReport;
}

export type PatientReportPage = Page<PatientReportEntry>;

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

const receipts = operations["get-receipt-report"];
const patients = operations["get-patient-report"];

/** The page number asked for, as a number (the first page when none was asked for). */
const pageAsked = (wire: Record<string, string>) => (wire.page === undefined ? 1 : Number(wire.page));

export function getReceiptReport(
  core: ClientCore,
  query: ReceiptReportQuery,
  options: CallOptions = {},
): Promise<ReceiptReportPage> {
  return traced(core, "get-receipt-report", options, async (context) => {
    const wire = receiptReportWireQuery(query, validates(core, options));
    const answer = await callOperation(core, context, (fetch) =>
      core.raw.GET(receipts.path, {
        // The wire form, already checked: the page goes as the digits it was given.
        params: { query: wire as unknown as { day: string; page?: number } },
        parseAs: "text",
        Request: wireRequestClass,
        fetch,
      }),
    );
    const body = answer.body;
    if (!isBundle(body)) throw unexpected(answer, "its body is not a Bundle of receipts");
    const links = mergeLinks(linksFromHeader(answer.response.headers.get("link")), linksFromBundle(body));
    return {
      items: body.entry.map((entry) => entry.resource),
      bundle: body,
      links,
      page: pageAsked(wire),
      lastPage: pageNumberOf(links.last),
      correlationId: answer.correlationId,
      status: answer.status,
    };
  });
}

export function getPatientReport(
  core: ClientCore,
  query: PatientReportQuery,
  options: CallOptions = {},
): Promise<PatientReportPage> {
  return traced(core, "get-patient-report", options, async (context) => {
    const wire = patientReportWireQuery(query, validates(core, options));
    const answer = await callOperation(core, context, (fetch) =>
      core.raw.GET(patients.path, {
        params: { query: wire as unknown as { "ods-organisation-code": string; page?: number } },
        parseAs: "text",
        Request: wireRequestClass,
        fetch,
      }),
    );
    const body = answer.body;
    if (!Array.isArray(body)) throw unexpected(answer, "its body is not a list of patients");
    const links = linksFromHeader(answer.response.headers.get("link"));
    return {
      items: body.map(normalisePatient),
      links,
      page: pageAsked(wire),
      lastPage: pageNumberOf(links.last),
      correlationId: answer.correlationId,
      status: answer.status,
    };
  });
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

/**
 * `pages(key)` and `items(key)` for one report: the first page is fetched with
 * the caller's key (day or ODS code), each next page with what its link says.
 */
function reportIterators<Key, Item>(
  core: ClientCore,
  report: Report,
  fetchPage: (key: Key | string, page: number | undefined, options: CallOptions) => Promise<Page<Item>>,
) {
  const pages = (key: Key, options: CallOptions = {}) =>
    new PageIterable<Item>(
      (next) => (next ? fetchPage(next.value, next.page, options) : fetchPage(key, undefined, options)),
      (link, page) => nextPageOf(link, core.config.baseUrl, report, page),
      report.operation,
    );
  return { pages, items: (key: Key, options: CallOptions = {}) => pages(key, options).items() };
}

export const receiptIterators = (core: ClientCore) =>
  reportIterators<ReportDay, Receipt>(
    core,
    { path: receipts.path, operation: "get-receipt-report", parameter: "day" },
    (day, page, options) => getReceiptReport(core, { day, ...(page === undefined ? {} : { page }) }, options),
  );

export const patientIterators = (core: ClientCore) =>
  reportIterators<string, PatientReportEntry>(
    core,
    { path: patients.path, operation: "get-patient-report", parameter: "ods-organisation-code" },
    (odsCode, page, options) => getPatientReport(core, { odsCode, ...(page === undefined ? {} : { page }) }, options),
  );
