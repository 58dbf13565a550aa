// The CSV columns of the two reports. JSON and NDJSON keep each row as the
// API sent it; CSV flattens a receipt Task to the fields a spreadsheet needs,
// reading identifiers by the contract's systems.
import type { PatientReportPage, ReceiptReportPage } from "@nhs-app-api/client";
import { systems } from "@nhs-app-api/contract";
import type { Column } from "./report-writer.js";

export type ReceiptRow = ReceiptReportPage["items"][number];
export type PatientRow = PatientReportPage["items"][number];

const identifier = (row: ReceiptRow, system: string) =>
  row.identifier?.find((entry) => entry.system === system)?.value?.trim();

/** statusReason is `{ text }` in the spec, a plain string in some published examples. */
const reasonOf = (row: ReceiptRow): unknown => {
  const reason: unknown = row.statusReason;
  return typeof reason === "object" && reason !== null && "text" in reason ? reason.text : reason;
};

export const receiptColumns: readonly Column<ReceiptRow>[] = [
  { header: "id", value: (row) => row.id },
  { header: "communicationId", value: (row) => identifier(row, systems.communicationId) },
  { header: "code", value: (row) => row.code.coding[0]?.code },
  { header: "status", value: (row) => row.status },
  { header: "statusReason", value: reasonOf },
  { header: "authoredOn", value: (row) => row.authoredOn },
  { header: "lastModified", value: (row) => row.lastModified },
  { header: "campaignId", value: (row) => identifier(row, systems.campaignId) },
  { header: "requestReference", value: (row) => identifier(row, systems.requestId) },
];

export const patientColumns: readonly Column<PatientRow>[] = [
  { header: "nhsNumber", value: (row) => row.nhsNumber },
  { header: "notificationsEnabled", value: (row) => row.notificationsEnabled },
];
