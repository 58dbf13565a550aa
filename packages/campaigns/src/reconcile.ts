// Settling messages whose fate is unknown without sending them again: the
// receipts report of a day lists every receipt of that day, with the
// identifiers its message was sent with. A message accepted by the NHS App
// has its first receipt within a lag of its send, so it is listed in the
// report of the day its send began or of a day within that lag. A message
// found there was sent; one not found in the complete reports of all those
// days was certainly not processed; otherwise it stays unknown, for now.
import type { NhsAppClient } from "@nhs-app-api/client";
import { isReceiptReportComplete, systems } from "@nhs-app-api/contract";
import type { JournalEntry } from "./journal.js";

type Identifier = { system?: string; value?: string };

/** How long a first receipt may follow its message's send, by default: two hours. */
export const DEFAULT_RECEIPT_LAG_MS = 2 * 60 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ReconcileOptions {
  signal?: AbortSignal | undefined;
  /**
   * Awaited before each page is requested (a page is an API call, counted
   * against the same rate limit as the sends); what it resolves to is called
   * when the page's answer has come.
   */
  turn?: ((signal?: AbortSignal) => Promise<() => void>) | undefined;
  /** How long a first receipt may follow its send (default two hours): the days after the send's to look in. */
  receiptLagMs?: number | undefined;
  /**
   * Whether a day's receipts report is complete, asked before the day is
   * read. Default: the platform's rule (complete from the next day, UTC) by
   * this machine's clock. A sandbox with a clock of its own says so itself.
   */
  isReportComplete?: ((day: string) => boolean | Promise<boolean>) | undefined;
}

export interface ReportFindings {
  /** Request reference -> communication ID, for each message a report lists. */
  found: Map<string, string>;
  /** Request references certainly not processed: absent from the complete reports of every day they could be on. */
  notProcessed: Set<string>;
  /** Pages read, in all. */
  pagesRead: number;
  /** Pages read, by day. */
  pagesByDay: Map<string, number>;
}

/** The UTC days from the send's to the send's plus the lag, oldest first. */
function daysOf(sendingSince: string, lagMs: number): string[] {
  const start = Date.parse(sendingSince);
  if (Number.isNaN(start)) return [];
  const days: string[] = [];
  const last = new Date(start + lagMs).toISOString().slice(0, 10);
  for (let at = start; ; at += DAY_MS) {
    const day = new Date(at).toISOString().slice(0, 10);
    days.push(day);
    if (day >= last) return days;
  }
}

/**
 * Looks for each of `entries` in the receipts reports of the days it could
 * be listed on, reading each day only while some message it could hold is
 * still not found (and stopping mid-report once every one is).
 */
export async function findInReceiptReports(
  client: Pick<NhsAppClient, "receipts">,
  entries: readonly Pick<JournalEntry, "requestReference" | "sendingSince">[],
  options: ReconcileOptions = {},
): Promise<ReportFindings> {
  const { signal, turn } = options;
  const lagMs = options.receiptLagMs ?? DEFAULT_RECEIPT_LAG_MS;
  if (!(lagMs >= 0) || !Number.isFinite(lagMs)) throw new RangeError(`receiptLagMs must be zero or more, not ${lagMs}`);
  const isComplete = options.isReportComplete ?? ((day: string) => isReceiptReportComplete(day, Date.now()));
  const found = new Map<string, string>();
  const pagesByDay = new Map<string, number>();
  let pagesRead = 0;
  // Each message's days, and each day's messages.
  const daysByReference = new Map<string, string[]>();
  const byDay = new Map<string, string[]>();
  for (const entry of entries) {
    const days = entry.sendingSince === undefined ? [] : daysOf(entry.sendingSince, lagMs);
    daysByReference.set(entry.requestReference, days);
    for (const day of days) {
      const onDay = byDay.get(day);
      if (onDay) onDay.push(entry.requestReference);
      else byDay.set(day, [entry.requestReference]);
    }
  }
  // Days whose report was complete before it was read, and was read to its end.
  const completeDaysRead = new Set<string>();
  for (const day of [...byDay.keys()].sort()) {
    const wanted = new Set((byDay.get(day) ?? []).filter((reference) => !found.has(reference)));
    if (wanted.size === 0) continue;
    // Asked before reading: a report read before it was complete proves no absence, even if it is complete by the end.
    const complete = await isComplete(day);
    try {
      const pages = client.receipts.pages(day, signal ? { signal } : {})[Symbol.asyncIterator]();
      let toEnd = false;
      while (wanted.size > 0) {
        signal?.throwIfAborted();
        const answered = await turn?.(signal);
        const page = await pages.next().finally(() => answered?.());
        if (page.done) {
          toEnd = true;
          break;
        }
        pagesRead++;
        pagesByDay.set(day, (pagesByDay.get(day) ?? 0) + 1);
        for (const receipt of page.value.items) {
          const identifiers = ((receipt as { identifier?: Identifier[] }).identifier ?? []) as Identifier[];
          const reference = identifiers.find((identifier) => identifier.system === systems.requestId)?.value;
          const communicationId = identifiers.find(
            (identifier) => identifier.system === systems.communicationId,
          )?.value;
          if (reference && communicationId && wanted.has(reference)) {
            found.set(reference, communicationId);
            wanted.delete(reference);
          }
        }
      }
      if (toEnd && complete) completeDaysRead.add(day);
      // Stopped early because every message was found: no pages beyond that are read.
      if (!toEnd) await pages.return?.();
    } catch (error) {
      if (signal?.aborted) throw error;
      // No report for that day yet (404), or it could not be read: its messages stay unknown for now.
    }
  }
  const notProcessed = new Set<string>();
  for (const [reference, days] of daysByReference) {
    if (!found.has(reference) && days.length > 0 && days.every((day) => completeDaysRead.has(day))) {
      notProcessed.add(reference);
    }
  }
  return { found, notProcessed, pagesRead, pagesByDay };
}
