// The journal: per request reference, where a message stands. It is written
// BEFORE each send (`sending`), so that whatever happens next, a crash
// included, a rerun knows the message may have reached the NHS App and does
// not send it again.
//
//   pending ─► sending ─► sent (communication ID)
//                    ├──► refused (the issues; the NHS App or our checks said no)
//                    ├──► failed  (certainly not processed: may be sent again)
//                    └──► unknown (may have been processed: never sent again)
import type { CampaignMessageKind } from "./message.js";

export type JournalState = "pending" | "sending" | "sent" | "refused" | "failed" | "unknown";

export interface JournalIssue {
  code: string;
  diagnostics: string;
  expression?: string[] | undefined;
}

export interface JournalEntry {
  requestReference: string;
  kind: CampaignMessageKind;
  state: JournalState;
  /** A digest of the body, so that a reference reused for another message is caught. */
  bodyHash: string;
  /** The body as it is (or was) sent, JSON. */
  body: string;
  communicationId?: string | undefined;
  issues?: JournalIssue[] | undefined;
  /** Why a send failed or its fate is unknown (an error's kind and message, never a secret). */
  reason?: string | undefined;
  /** When the last send began (ISO 8601), for finding it in the receipts report of that day. */
  sendingSince?: string | undefined;
  attempts: number;
  /**
   * Set by a shared journal on a `sending` entry: true while the worker that
   * claimed it is still running (its lease is fresh), false once that worker
   * has gone (a crash): the entry is then a leftover to settle, however
   * recent. Absent when the journal cannot tell (sendBatch then goes by
   * `inFlightGraceMs`).
   */
  claimLive?: boolean | undefined;
}

/**
 * Which campaign a journal belongs to. A journal records the source it was
 * made for, and refuses another (JournalRefusedError, "other-source"), so that
 * two campaigns never mix in one journal.
 */
export interface CampaignSource {
  /**
   * What the campaign is sent from: `sha256:<hex>` of the batch file (the
   * CLI's choice), or any name the caller picks for a stream of messages.
   * Left out, the journal's source is neither recorded nor checked.
   */
  source?: string | undefined;
  /**
   * Carry on with a source other than the one the journal records (a
   * corrected batch file of the same campaign): the journal then records this
   * one. Messages already journalled keep their state.
   */
  acceptChangedSource?: boolean | undefined;
}

/** How a send ended, as the journal records it. */
export type Settlement =
  | { state: "sent"; communicationId: string }
  | { state: "refused"; issues: JournalIssue[]; reason?: string | undefined }
  | { state: "failed"; reason: string }
  | { state: "unknown"; reason: string };

export interface Journal {
  /**
   * Adds messages as `pending` in one transaction, leaving any reference
   * already journalled as it stands; returns every entry given as it now
   * stands, in the order given. sendBatch calls it a chunk at a time as it
   * reads a campaign, so a chunk is at most a few thousand messages. Fails
   * (and adds nothing of the chunk) when the journal cannot be written.
   */
  admit(
    messages: readonly Pick<JournalEntry, "requestReference" | "kind" | "bodyHash" | "body">[],
  ): Promise<JournalEntry[]>;
  /**
   * Claims a message for sending: written and made durable before the
   * request goes out, and only from `pending` or `failed`. False when the
   * message is no longer there to send (another worker sharing the journal
   * claimed or settled it first): this worker then leaves it alone.
   */
  markSending(requestReference: string, at: Date): Promise<boolean>;
  /**
   * Optional: waits for this call's turn under a rate budget shared by
   * every worker on the journal (a database-held budget), and resolves with
   * a function to call once, when the call's answer (or failure) comes.
   * Without it, each batch paces itself alone.
   */
  rateTurn?(signal?: AbortSignal): Promise<() => void>;
  /**
   * True when several workers may share the journal (a database). A message
   * another worker is sending right now is then `sending` too, so a batch
   * leaves a recent `sending` entry alone (see `inFlightGraceMs`) rather than
   * take it for one a crash left behind.
   */
  readonly shared?: boolean;
  /**
   * Records how a send ended. With `expected`, only if the entry still stands
   * in that state after that many attempts (compare and set): two workers
   * settling the same leftover at once must not overwrite each other. True
   * when written.
   */
  settle(
    requestReference: string,
    settlement: Settlement,
    expected?: { state: JournalState; attempts: number },
  ): Promise<boolean>;
  /** The entries of these references as they stand now (those journalled; in no particular order). */
  lookup(requestReferences: readonly string[]): Promise<JournalEntry[]>;
  entries(): Promise<JournalEntry[]>;
  close(): Promise<void>;
}

export class JournalError extends Error {
  override readonly name: string = "JournalError";
}

/**
 * A journal refused before anything was written or sent: the file or table
 * is not a journal of this package ("not-a-journal"), was made by a newer
 * version ("newer-format"), records another campaign's source
 * ("other-source"; `recorded` and `given` say which), or another process is
 * sending from it ("in-use").
 */
export class JournalRefusedError extends JournalError {
  override readonly name = "JournalRefusedError";
  constructor(
    readonly reason: "not-a-journal" | "newer-format" | "other-source" | "in-use",
    message: string,
    readonly recorded?: string,
    readonly given?: string,
  ) {
    super(message);
  }
}

/** The journal format this version writes and reads; a journal of a newer format is refused. */
export const JOURNAL_FORMAT = 1;
