// `nhs-app batch status --journal <campaign.db>` (or --postgres <url>
// --campaign <name>): where a campaign stands, from its journal alone: no
// credentials, nothing sent, nothing read from the NHS App. Lines of the batch file that were not messages are not in the
// journal (send batch reports them), so they are not counted here.
import type { JournalState } from "@nhs-app-api/campaigns";
import type { Command } from "commander";
import { usageError } from "../lib/errors.js";
import { fromJournalError, type JournalFlags, journalChoice, journalName, openJournal } from "../lib/journal.js";
import { out } from "../lib/output.js";

const STATES: readonly JournalState[] = ["pending", "sending", "sent", "refused", "failed", "unknown"];

/** The references to look into, and what each list means. */
const LISTS = [
  [
    "unknown",
    "unknown, for a person to check: they may have reached the NHS App, so they are not sent again until the receipts report of their day, once complete, shows whether they did",
  ],
  ["sending", "sending: a send began and its end was never journalled; the next send batch takes it as unknown"],
  ["failed", "failed, certainly not processed: the next send batch sends them again"],
] as const;

async function status(flags: JournalFlags & { json?: boolean }): Promise<void> {
  const choice = journalChoice(flags);
  const journal = await openJournal(choice, { mustExist: true });
  let entries: Awaited<ReturnType<typeof journal.entries>>;
  try {
    entries = await journal.entries();
  } catch (error) {
    throw fromJournalError(error);
  } finally {
    await journal.close();
  }
  // One database holds many campaigns: a mistyped name would otherwise read as an empty campaign.
  if (choice.kind === "postgres" && entries.length === 0) {
    throw usageError(`${journalName(choice)} holds no messages (is the campaign name right?)`);
  }
  const counts = Object.fromEntries(STATES.map((state) => [state, 0])) as Record<JournalState, number>;
  for (const entry of entries) counts[entry.state]++;
  const referencesIn = (state: JournalState) =>
    entries.filter((entry) => entry.state === state).map((entry) => entry.requestReference);
  if (flags.json) {
    const lists = Object.fromEntries(LISTS.map(([state]) => [state, referencesIn(state)]));
    await out(`${JSON.stringify({ total: entries.length, counts, ...lists })}\n`);
    return;
  }
  const width = Math.max(...[...STATES, "total"].map((name) => name.length));
  const digits = String(entries.length).length;
  const row = (name: string, n: number) => `${name.padEnd(width)}  ${String(n).padStart(digits)}`;
  const lines = [row("total", entries.length), ...STATES.map((state) => row(state, counts[state]))];
  for (const [state, meaning] of LISTS) {
    const references = referencesIn(state);
    if (references.length > 0) lines.push("", `${meaning}:`, ...references.map((reference) => `  ${reference}`));
  }
  await out(`${lines.join("\n")}\n`);
}

export function registerBatch(program: Command): void {
  const batch = program.command("batch").description("look into a campaign sent with send batch");
  batch
    .command("status")
    .description("counts per state and the references to check, from the journal alone (nothing is sent)")
    .option("--journal <campaign.db>", "the campaign's journal file, as given to send batch")
    .option("--postgres <url>", "or the PostgreSQL database of the journal, as given to send batch (with --campaign)")
    .option("--campaign <name>", "the campaign's name in the --postgres database")
    .option("--json", "print the counts and the lists as JSON")
    .action(status);
}
