// Builders for report pages of any size, with the `Link` header and (for
// receipts) the Bundle links the API sends, and for valid NHS numbers.
import { enums, isValidNhsNumber, operations, systems } from "@nhs-app-api/contract";
import type { PatientReportEntry, Receipt, ReceiptReport } from "@nhs-app-api/types";
import { deliveryPath, type ReceiptKind, rejectionReason } from "./delivery-plan.js";

/** The n-th valid test NHS number (Modulus 11 holds), from the 999 range used for test data. */
export function testNhsNumber(n: number): string {
  for (let candidate = 999_000_000 + n * 7; ; candidate++) {
    const nine = String(candidate).padStart(9, "0").slice(-9);
    for (let check = 0; check <= 9; check++) {
      if (isValidNhsNumber(`${nine}${check}`)) return `${nine}${check}`;
    }
  }
}

/** A made-up UUID; `group` keeps receipts' IDs apart from communications'. */
const uuid = (seed: number, group: "8000" | "9000" = "8000") => {
  const hex = (seed * 2654435761 + 0x9e3779b9).toString(16).padStart(12, "0").slice(-12);
  return `00000000-0000-4000-${group}-${hex}`;
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

/**
 * The made-up communications of the fixed receipt report, in turn, each with
 * its receipts in order as the delivery state model takes them; one turn
 * holds every code the model knows, in 12 receipts (3 Delivered, since both
 * NotificationAttempted and Unnotified need one before them). A code the spec
 * gains that the model does not place yet comes first, alone, so that it
 * shows in any report.
 */
const MADE_UP_STORIES: readonly (readonly ReceiptKind[])[] = (() => {
  const modelled = [
    deliveryPath("in-app", "notified", true),
    deliveryPath("in-app", "rejected", false),
    deliveryPath("in-app", "unnotified", true),
    deliveryPath("in-app", "notified", false),
    deliveryPath("in-app", "rejected", false),
  ];
  const unplaced = enums.receiptCodes.filter((code) => !modelled.some((path) => path.includes(code)));
  return [...unplaced.map((code) => [code]), ...modelled];
})();

/** Each receipt of one turn of the stories: whose it is and where that story starts in the turn. */
const MADE_UP_TURN = MADE_UP_STORIES.flatMap((path, story) => {
  const start = MADE_UP_STORIES.slice(0, story).reduce((sum, earlier) => sum + earlier.length, 0);
  return path.map((kind) => ({ kind, story, start }));
});

const DAY_SECONDS = 86_400;
/**
 * When the receipts of a report of `total` happen, in seconds from midnight:
 * a minute apart from 09:00, closer and earlier when that would run past the
 * day. Slot 0 is when the first communication was sent; receipt n is slot n + 1.
 */
function reportClock(total: number) {
  const step = Math.max(1, Math.min(60, Math.floor(DAY_SECONDS / (total + 1))));
  const start = Math.max(0, Math.min(9 * 3600, DAY_SECONDS - (total + 1) * step));
  return (slot: number) => start + slot * step;
}

/** `day` at `seconds` from midnight: whole seconds, `Z`, as the spec's examples write report times. */
function timeOn(day: string, seconds: number) {
  return `${new Date(Date.parse(`${day}T00:00:00Z`) + seconds * 1000).toISOString().slice(0, 19)}Z`;
}

type ReceiptCoding = Receipt["code"]["coding"][number];
/**
 * A page of the receipt report for `day`, with `perPage` receipts about
 * made-up communications. Read page by page, each communication's receipts
 * follow one another in the order the state model allows, and their times in
 * that order (the last communication may be cut short by the report's end).
 */
export function receiptReportPage(options: PageOptions & { day: string; perPage?: number }) {
  const { page, day } = options;
  const perPage = options.perPage ?? 4;
  const total = perPage * options.pageCount;
  const clock = reportClock(total);
  const receipts = Array.from({ length: perPage }, (_, i): Receipt => {
    const n = (page - 1) * perPage + i;
    const turn = Math.floor(n / MADE_UP_TURN.length);
    const { kind, story, start } = MADE_UP_TURN[n % MADE_UP_TURN.length] as (typeof MADE_UP_TURN)[number];
    const communication = turn * MADE_UP_STORIES.length + story;
    const rejected = kind === "Rejected";
    return {
      id: uuid(n + 1),
      resourceType: "Task",
      intent: "order",
      identifier: [{ system: systems.communicationId, value: uuid(communication + 1, "9000") }],
      status: rejected ? "rejected" : "completed",
      ...(rejected ? { statusReason: { text: rejectionReason() } } : {}),
      code: {
        coding: [{ system: systems.receiptStatus as ReceiptCoding["system"], code: kind }],
      },
      // Sent in the slot before its first receipt.
      authoredOn: timeOn(day, clock(turn * MADE_UP_TURN.length + start)),
      lastModified: timeOn(day, clock(n + 1)),
    };
  });
  return receiptPageOf({ ...options, receipts, total });
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
