// The one table layout both stored journals use (SQLite and PostgreSQL), and
// how a row becomes a JournalEntry: each storage hands over its row with the
// issues parsed and the send's start as ISO 8601 text.
import type { JournalEntry, JournalIssue } from "./journal.js";

export interface JournalRow {
  request_reference: string;
  kind: JournalEntry["kind"];
  body_hash: string;
  body: string;
  state: JournalEntry["state"];
  communication_id: string | null;
  issues: JournalIssue[] | null;
  reason: string | null;
  sending_since: string | null;
  attempts: number;
}

export const entryFromRow = (row: JournalRow): JournalEntry => ({
  requestReference: row.request_reference,
  kind: row.kind,
  bodyHash: row.body_hash,
  body: row.body,
  state: row.state,
  attempts: row.attempts,
  ...(row.communication_id === null ? {} : { communicationId: row.communication_id }),
  ...(row.issues === null ? {} : { issues: row.issues }),
  ...(row.reason === null ? {} : { reason: row.reason }),
  ...(row.sending_since === null ? {} : { sendingSince: row.sending_since }),
});
