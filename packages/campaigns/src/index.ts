// @nhs-app-api/campaigns: send a campaign of NHS App messages at scale, at
// most once per patient and message, with a journal that survives a crash.
export {
  type CampaignSource,
  JOURNAL_FORMAT,
  type Journal,
  type JournalEntry,
  JournalError,
  type JournalIssue,
  JournalRefusedError,
  type JournalState,
  type Settlement,
} from "./journal.js";
export { createMemoryJournal } from "./memory-journal.js";
export type { CampaignMessage, CampaignMessageKind } from "./message.js";
export { openPostgresJournal, type PostgresJournalOptions } from "./postgres-journal.js";
export {
  DEFAULT_RECEIPT_LAG_MS,
  findInReceiptReports,
  type ReconcileOptions,
  type ReportFindings,
} from "./reconcile.js";
export {
  type BatchSummary,
  type CampaignClient,
  type MessageOutcome,
  type OutcomeState,
  type SendBatchOptions,
  sendBatch,
} from "./send-batch.js";
export { settlementOf } from "./settlement.js";
export { openSqliteJournal, type SqliteBinding, type SqliteJournalOptions, sqliteBinding } from "./sqlite-journal.js";
