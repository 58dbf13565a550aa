// Settling messages whose fate is unknown without sending them again: the
// receipts report of the day a send began lists every message the NHS App
// accepted, with the identifiers it was sent with. A message found there was
// sent; one not found stays `unknown`, for a person to look into (the report
// is built daily, so today's may not list it yet).
import type { NhsAppClient } from "@nhs-app-api/client";
import { systems } from "@nhs-app-api/contract";
import type { JournalEntry } from "./journal.js";

type Identifier = { system?: string; value?: string };

export interface ReportFindings {
  /** Request reference -> communication ID, for each message a report lists. */
  found: Map<string, string>;
  /** The days whose report was read in full (a day with no report yet, or a failed read, is not among them). */
  daysRead: Set<string>;
}

/**
 * Looks for each of `entries` in the receipts report of the day its send
 * began. `turn`, when given, is awaited before each page is requested (a
 * page is an API call, counted against the same rate limit as the sends),
 * and what it resolves to is called when the page's answer has come.
 */
export async function findInReceiptReports(
  client: Pick<NhsAppClient, "receipts">,
  entries: readonly JournalEntry[],
  signal?: AbortSignal,
  turn?: (signal?: AbortSignal) => Promise<() => void>,
): Promise<ReportFindings> {
  const found = new Map<string, string>();
  const daysRead = new Set<string>();
  const wanted = new Set(entries.map((entry) => entry.requestReference));
  const days = [
    ...new Set(entries.map((entry) => entry.sendingSince?.slice(0, 10)).filter((day) => day !== undefined)),
  ];
  for (const day of days.sort()) {
    try {
      const pages = client.receipts.pages(day, signal ? { signal } : {})[Symbol.asyncIterator]();
      while (true) {
        const answered = await turn?.(signal);
        const page = await pages.next().finally(() => answered?.());
        if (page.done) break;
        for (const receipt of page.value.items) {
          const identifiers = ((receipt as { identifier?: Identifier[] }).identifier ?? []) as Identifier[];
          const reference = identifiers.find((identifier) => identifier.system === systems.requestId)?.value;
          const communicationId = identifiers.find(
            (identifier) => identifier.system === systems.communicationId,
          )?.value;
          if (reference && communicationId && wanted.has(reference)) found.set(reference, communicationId);
        }
      }
      daysRead.add(day);
    } catch (error) {
      if (signal?.aborted) throw error;
      // No report for that day yet (404), or it could not be read: its messages stay unknown for now.
    }
  }
  return { found, daysRead };
}
