// @nhs-app-api/campaigns: send a campaign of NHS App messages at scale, at
// most once per patient and message, with a journal that survives a crash.
export {
  type Journal,
  type JournalEntry,
  JournalError,
  type JournalIssue,
  type JournalState,
  type Settlement,
} from "./journal.js";
export { createMemoryJournal } from "./memory-journal.js";
export type { CampaignMessage, CampaignMessageKind } from "./message.js";
export { openPostgresJournal, type PostgresJournalOptions } from "./postgres-journal.js";
export { findInReceiptReports, type ReportFindings } from "./reconcile.js";
export {
  type BatchSummary,
  type CampaignClient,
  DuplicateReferenceError,
  type MessageOutcome,
  type OutcomeState,
  ReferenceReusedError,
  type SendBatchOptions,
  sendBatch,
} from "./send-batch.js";
export { settlementOf } from "./settlement.js";
export { openSqliteJournal, type SqliteBinding, sqliteBinding } from "./sqlite-journal.js";
