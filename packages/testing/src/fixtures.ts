// Builders for report pages of any size, with the `Link` header and (for
// receipts) the Bundle links the API sends, and for valid NHS numbers.
import { enums, isValidNhsNumber, operations, systems } from "@nhs-app-api/contract";
import type { PatientReportEntry, Receipt, ReceiptReport } from "@nhs-app-api/types";

/** The n-th valid test NHS number (Modulus 11 holds), from the 999 range used for test data. */
export function testNhsNumber(n: number): string {
  for (let candidate = 999_000_000 + n * 7; ; candidate++) {
    const nine = String(candidate).padStart(9, "0").slice(-9);
    for (let check = 0; check <= 9; check++) {
      if (isValidNhsNumber(`${nine}${check}`)) return `${nine}${check}`;
    }
  }
}

const uuid = (seed: number) => {
  const hex = (seed * 2654435761 + 0x9e3779b9).toString(16).padStart(12, "0").slice(-12);
  return `00000000-0000-4000-8000-${hex}`;
};

export interface PageOptions {
  /** The API base URL the links should point at. */
  baseUrl: string;
  /** 1-based. */
  page: number;
  pageCount: number;
}

function linkHeader(url: (page: number) => string, page: number, pageCount: number) {
  const links = [`<${url(pageCount)}>; rel="last"`];
  if (page < pageCount) links.unshift(`<${url(page + 1)}>; rel="next"`);
  return links.join(", ");
}

type ReceiptCode = Receipt["code"]["coding"][number]["code"];
/** A page of the receipt report for `day`, with `perPage` receipts about made-up communications. */
export function receiptReportPage(options: PageOptions & { day: string; perPage?: number }) {
  const { page, day } = options;
  const perPage = options.perPage ?? 4;
  const receipts = Array.from({ length: perPage }, (_, i): Receipt => {
    const n = (page - 1) * perPage + i;
    // Every receipt code the spec knows, in turn, so a code added to the spec shows up here too.
    const kind = enums.receiptCodes[n % enums.receiptCodes.length] as ReceiptCode;
    const rejected = kind === "Rejected";
    return {
      id: uuid(n + 1),
      resourceType: "Task",
      intent: "order",
      identifier: [{ system: systems.communicationId, value: uuid(1000 + Math.floor(n / 4)) }],
      status: rejected ? "rejected" : "completed",
      ...(rejected ? { statusReason: { text: "NHS number not found" } } : {}),
      code: { coding: [{ system: systems.receiptStatus as Receipt["code"]["coding"][number]["system"], code: kind }] },
      authoredOn: `${day}T09:00:00Z`,
      lastModified: `${day}T09:${String(10 + (n % 50)).padStart(2, "0")}:00Z`,
    };
  });
  return receiptPageOf({ ...options, receipts, total: perPage * options.pageCount });
}

/** A page of the receipt report for `day` holding the given receipts, with the `Link` header and Bundle links. */
export function receiptPageOf(options: PageOptions & { day: string; receipts: Receipt[]; total: number }) {
  const { baseUrl, page, pageCount, day, total } = options;
  const path = operations["get-receipt-report"].path;
  const url = (p: number) => `${baseUrl}${path}?day=${day}&page=${p}`;
  const entry = options.receipts.map((resource) => ({ fullUrl: `${baseUrl}${path}/${resource.id}`, resource }));
  const link: ReceiptReport["link"] = [
    { relation: "self", url: url(page) },
    ...(page < pageCount ? [{ relation: "next" as const, url: url(page + 1) }] : []),
    { relation: "last", url: url(pageCount) },
  ];
  const body: ReceiptReport = { resourceType: "Bundle", type: "searchset", total, link, entry };
  return { body, headers: { link: linkHeader(url, page, pageCount), "content-type": "application/json" } };
}

/** A page of the patient report for `odsCode`, with `perPage` patients. */
export function patientReportPage(options: PageOptions & { odsCode: string; perPage?: number }) {
  const { baseUrl, page, pageCount, odsCode } = options;
  const perPage = options.perPage ?? 3;
  const path = operations["get-patient-report"].path;
  const url = (p: number) => `${baseUrl}${path}?ods-organisation-code=${odsCode}&page=${p}`;
  const body: PatientReportEntry[] = Array.from({ length: perPage }, (_, i) => {
    const n = (page - 1) * perPage + i;
    return { nhsNumber: testNhsNumber(n), notificationsEnabled: n % 3 !== 0 };
  });
  return { body, headers: { link: linkHeader(url, page, pageCount), "content-type": "application/json" } };
}
