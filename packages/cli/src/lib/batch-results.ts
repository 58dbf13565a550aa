// One result per line of a batch file, as `send batch` writes it: a line of
// text (`ref state communicationId-or-reason`), NDJSON, or a CSV record. The
// reasons come from the client and the contract, masked again here as every
// message the CLI prints is; a malformed line's reason names its line.
import type { MessageOutcome, OutcomeState } from "@nhs-app-api/campaigns";
import type { MalformedLine } from "./batch-lines.js";
import { csvRecord } from "./csv.js";
import { issueJson, issueLine } from "./issues.js";
import { redact } from "./redact.js";

export type ResultFormat = "text" | "ndjson" | "csv";

export const RESULT_COLUMNS = ["request_reference", "state", "communication_id", "reason", "line"] as const;

export interface ResultRow {
  line: number;
  /** Absent for a line refused before its reference could be read. */
  requestReference?: string | undefined;
  state: OutcomeState;
  communicationId?: string | undefined;
  reason?: string | undefined;
  issues?: MessageOutcome["issues"];
  /** Settled by an earlier run: nothing was sent this time. */
  fromEarlierRun?: boolean;
  /** Found in the receipts report rather than sent. */
  reconciled?: boolean;
  /** A line of the file that is not a message: refused without sending. */
  malformed?: boolean;
}

export function rowOfOutcome(outcome: MessageOutcome, line: number): ResultRow {
  return {
    line,
    requestReference: outcome.requestReference,
    state: outcome.state,
    communicationId: outcome.communicationId,
    reason: outcome.reason,
    issues: outcome.issues,
    ...(outcome.fromEarlierRun ? { fromEarlierRun: true } : {}),
    ...(outcome.reconciled ? { reconciled: true } : {}),
  };
}

export const rowOfMalformed = (malformed: MalformedLine): ResultRow => ({
  line: malformed.line,
  requestReference: malformed.requestReference,
  state: "refused",
  reason: `line ${malformed.line}: ${malformed.reason}`,
  malformed: true,
});

/** Why, in one line: a refusal's issues (path first) when it has any, else the reason. */
export function reasonOf(row: ResultRow): string | undefined {
  if (row.state === "sent") return undefined;
  if (row.issues && row.issues.length > 0) return row.issues.map(issueLine).join("; ");
  return row.reason === undefined ? undefined : redact(row.reason);
}

export function formatResult(row: ResultRow, format: ResultFormat): string {
  const reason = reasonOf(row);
  if (format === "csv") {
    return csvRecord([row.requestReference, row.state, row.communicationId, reason, row.line]);
  }
  if (format === "ndjson") {
    return `${JSON.stringify({
      line: row.line,
      requestReference: row.requestReference ?? null,
      state: row.state,
      communicationId: row.communicationId ?? null,
      reason: reason ?? null,
      ...(row.issues && row.issues.length > 0 ? { issues: row.issues.map(issueJson) } : {}),
      ...(row.fromEarlierRun ? { fromEarlierRun: true } : {}),
      ...(row.reconciled ? { reconciled: true } : {}),
    })}\n`;
  }
  const detail = row.communicationId ?? reason;
  return `${row.requestReference ?? "-"} ${row.state}${detail === undefined ? "" : ` ${detail}`}\n`;
}

export const csvHeader = () => csvRecord([...RESULT_COLUMNS]);
