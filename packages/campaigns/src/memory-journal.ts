// A journal in memory: for tests and trials. It forgets everything when the
// process ends, so it cannot protect a real campaign from a crash.
import type { Journal, JournalEntry } from "./journal.js";

export function createMemoryJournal(): Journal & { readonly writes: readonly string[] } {
  const rows = new Map<string, JournalEntry>();
  const writes: string[] = [];
  const get = (reference: string) => {
    const entry = rows.get(reference);
    if (!entry) throw new Error(`no journal entry for ${reference}`);
    return entry;
  };
  return {
    writes,
    async admit(messages) {
      for (const m of messages) {
        if (!rows.has(m.requestReference)) rows.set(m.requestReference, { ...m, state: "pending", attempts: 0 });
      }
      return messages.map((m) => ({ ...get(m.requestReference) }));
    },
    async markSending(reference, at) {
      const entry = get(reference);
      if (entry.state !== "pending" && entry.state !== "failed") return false;
      writes.push(`sending ${reference}`);
      rows.set(reference, { ...entry, state: "sending", sendingSince: at.toISOString(), attempts: entry.attempts + 1 });
      return true;
    },
    async settle(reference, settlement, expected) {
      const entry = get(reference);
      if (expected && (entry.state !== expected.state || entry.attempts !== expected.attempts)) return false;
      writes.push(`${settlement.state} ${reference}`);
      rows.set(reference, { ...entry, ...settlement });
      return true;
    },
    async lookup(references) {
      return references.flatMap((reference) => {
        const entry = rows.get(reference);
        return entry ? [{ ...entry }] : [];
      });
    },
    async entries() {
      return [...rows.values()].map((entry) => ({ ...entry }));
    },
    async close() {},
  };
}
