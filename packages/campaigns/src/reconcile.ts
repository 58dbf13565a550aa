// Settling messages whose fate is unknown without sending them again: the
// receipts report of the day a send began lists every message the NHS App
// accepted, with the identifiers it was sent with. A message found there was
// sent; one not found stays `unknown`, for a person to look into (the report
// is built daily, so today's may not list it yet).
import type { NhsAppClient } from "@nhs-app-api/client";
import { systems } from "@nhs-app-api/contract";
import type { JournalEntry } from "./journal.js";

type Identifier = { system?: string; value?: string };

/** Request reference -> communication ID, for each of `entries` the receipts reports show. */
export async function findInReceiptReports(
  client: Pick<NhsAppClient, "receipts">,
  entries: readonly JournalEntry[],
  signal?: AbortSignal,
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const wanted = new Set(entries.map((entry) => entry.requestReference));
  const days = [
    ...new Set(entries.map((entry) => entry.sendingSince?.slice(0, 10)).filter((day) => day !== undefined)),
  ];
  for (const day of days.sort()) {
    for await (const receipt of client.receipts.items(day, signal ? { signal } : {})) {
      const identifiers = ((receipt as { identifier?: Identifier[] }).identifier ?? []) as Identifier[];
      const reference = identifiers.find((identifier) => identifier.system === systems.requestId)?.value;
      const communicationId = identifiers.find((identifier) => identifier.system === systems.communicationId)?.value;
      if (reference && communicationId && wanted.has(reference)) found.set(reference, communicationId);
      if (found.size === wanted.size) return found;
    }
  }
  return found;
}
