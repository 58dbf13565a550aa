// Builders for report pages of any size, with the `Link` header and (for
// receipts) the Bundle links the API sends, and for valid NHS numbers.
import type { PatientReportEntry, Receipt, ReceiptReport } from "@nhs-app-api/types";

/** The n-th valid test NHS number (Modulus 11 holds), from the 999 range used for test data. */
export function testNhsNumber(n: number): string {
  for (let candidate = 999_000_000 + n * 7; ; candidate++) {
    const digits = String(candidate).padStart(9, "0").slice(-9);
    const sum = [...digits].reduce((total, digit, i) => total + Number(digit) * (10 - i), 0);
    const check = 11 - (sum % 11);
    if (check === 10) continue;
    return `${digits}${check === 11 ? 0 : check}`;
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

const RECEIPT_KINDS = ["Delivered", "NotificationAttempted", "Notified", "Read"] as const;

/** A page of the receipt report for `day`, with `perPage` receipts about made-up communications. */
export function receiptReportPage(options: PageOptions & { day: string; perPage?: number }) {
  const { baseUrl, page, pageCount, day } = options;
  const perPage = options.perPage ?? 4;
  const url = (p: number) => `${baseUrl}/communication/report/receipts/FHIR/R4/Task?day=${day}&page=${p}`;
  const entry = Array.from({ length: perPage }, (_, i) => {
    const n = (page - 1) * perPage + i;
    const kind = RECEIPT_KINDS[n % RECEIPT_KINDS.length] as (typeof RECEIPT_KINDS)[number];
    const id = uuid(n + 1);
    const resource: Receipt = {
      id,
      resourceType: "Task",
      intent: "order",
      identifier: [
        { system: "https://fhir.nhs.uk/Id/nhs-app-communication-id", value: uuid(1000 + Math.floor(n / 4)) },
      ],
      status: "completed",
      code: { coding: [{ system: "https://fhir.nhs.uk/CodeSystem/NHSApp-Communication-Status", code: kind }] },
      authoredOn: `${day}T09:00:00Z`,
      lastModified: `${day}T09:${String(10 + (n % 50)).padStart(2, "0")}:00Z`,
    };
    return { fullUrl: `${baseUrl}/communication/report/receipts/FHIR/R4/Task/${id}`, resource };
  });
  const link: ReceiptReport["link"] = [
    { relation: "self", url: url(page) },
    ...(page < pageCount ? [{ relation: "next" as const, url: url(page + 1) }] : []),
    { relation: "last", url: url(pageCount) },
  ];
  const body: ReceiptReport = { resourceType: "Bundle", type: "searchset", total: perPage * pageCount, link, entry };
  return { body, headers: { link: linkHeader(url, page, pageCount), "content-type": "application/json" } };
}

/** A page of the patient report for `odsCode`, with `perPage` patients. */
export function patientReportPage(options: PageOptions & { odsCode: string; perPage?: number }) {
  const { baseUrl, page, pageCount, odsCode } = options;
  const perPage = options.perPage ?? 3;
  const url = (p: number) => `${baseUrl}/communication/report/patients?ods-organisation-code=${odsCode}&page=${p}`;
  const body: PatientReportEntry[] = Array.from({ length: perPage }, (_, i) => {
    const n = (page - 1) * perPage + i;
    return { nhsNumber: testNhsNumber(n), notificationsEnabled: n % 3 !== 0 };
  });
  return { body, headers: { link: linkHeader(url, page, pageCount), "content-type": "application/json" } };
}
