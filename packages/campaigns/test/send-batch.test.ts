import { inAppMessage, pushNotification } from "@nhs-app-api/client";
import { testNhsNumber } from "@nhs-app-api/testing";
import { describe, expect, it } from "vitest";
import {
  type BatchSummary,
  type CampaignMessage,
  createMemoryJournal,
  type Journal,
  type JournalEntry,
  JournalError,
  type MessageOutcome,
  sendBatch,
} from "../src/index.js";
import { type Answer, fakeClient } from "./fake-client.js";

const inApp = (n: number, text = `Your invitation ${n}`): CampaignMessage => ({
  kind: "in-app",
  requestReference: `ref-${n}`,
  message: inAppMessage({ nhsNumber: testNhsNumber(n), odsCode: "B82041", text, campaignId: "flu-2026" }),
});
const push = (n: number): CampaignMessage => ({
  kind: "push",
  requestReference: `ref-${n}`,
  message: pushNotification({
    nhsNumber: testNhsNumber(n),
    text: "You have a message",
    url: "https://www.nhsapp.service.nhs.uk/",
  }),
});

async function run(
  messages: CampaignMessage[],
  journal: Journal,
  answers: Record<string, Answer> = {},
  reported: Record<string, string> = {},
  reconcile: Parameters<typeof sendBatch>[2]["reconcile"] = true,
) {
  const fake = fakeClient({ journal, answers, reported });
  const outcomes: MessageOutcome[] = [];
  const batch = sendBatch(fake.client, messages, { journal, requestsPerSecond: 1000, concurrency: 3, reconcile });
  let summary: BatchSummary | undefined;
  while (true) {
    const next = await batch.next();
    if (next.done) {
      summary = next.value;
      break;
    }
    outcomes.push(next.value);
  }
  return { outcomes, summary, sends: fake.sends };
}

describe("sendBatch", () => {
  it("sends each message once, journalled as sending before it goes, and yields every outcome and a summary", async () => {
    const journal = createMemoryJournal();
    const { outcomes, summary, sends } = await run([inApp(1), push(2), inApp(3)], journal);
    expect(sends.map((s) => s.reference).sort()).toEqual(["ref-1", "ref-2", "ref-3"]);
    expect(sends.every((s) => s.journalState === "sending")).toBe(true);
    expect(outcomes.map((o) => [o.requestReference, o.state, o.communicationId]).sort()).toEqual([
      ["ref-1", "sent", "comm-ref-1"],
      ["ref-2", "sent", "comm-ref-2"],
      ["ref-3", "sent", "comm-ref-3"],
    ]);
    expect(summary).toEqual({
      total: 3,
      sent: 3,
      refused: 0,
      failed: 0,
      unknown: 0,
      claimedElsewhere: 0,
      notSent: 0,
      unsettled: [],
      reportPagesRead: 0,
    });
    expect(outcomes.map((o) => [o.requestReference, o.index]).sort()).toEqual([
      ["ref-1", 0],
      ["ref-2", 1],
      ["ref-3", 2],
    ]);
  });

  it("puts the request reference into the message it sends, as its request-id identifier", async () => {
    const journal = createMemoryJournal();
    await run([inApp(1)], journal);
    const [entry] = await journal.entries();
    expect(JSON.parse(entry?.body ?? "{}").identifier).toContainEqual({
      system: "https://fhir.nhs.uk/NHSApp/request-id",
      value: "ref-1",
    });
  });

  it("refuses a request reference where it repeats, by its place in the batch, and sends each message once", async () => {
    const journal = createMemoryJournal();
    const { outcomes, sends, summary } = await run([inApp(1), inApp(2), inApp(1, "Other text"), push(2)], journal);
    expect(sends.map((s) => s.reference).sort()).toEqual(["ref-1", "ref-2"]);
    const repeats = outcomes.filter((o) => o.state === "refused");
    expect(repeats.map((o) => [o.requestReference, o.index, o.issues?.[0]?.code])).toEqual([
      ["ref-1", 2, "duplicate"],
      ["ref-2", 3, "duplicate"],
    ]);
    expect(summary).toMatchObject({ total: 4, sent: 2, refused: 2 });
    // The journal keeps the first message of each reference, as sent.
    expect((await journal.entries()).map((e) => [e.requestReference, e.state])).toEqual([
      ["ref-1", "sent"],
      ["ref-2", "sent"],
    ]);
  });

  it("refuses an invalid message before sending, with its issues, and goes on with the rest", async () => {
    const journal = createMemoryJournal();
    const { outcomes, sends, summary } = await run([inApp(1, "x".repeat(5001)), inApp(2)], journal);
    expect(sends.map((s) => s.reference)).toEqual(["ref-2"]);
    const refused = outcomes.find((o) => o.requestReference === "ref-1");
    expect(refused?.state).toBe("refused");
    expect(refused?.issues?.[0]?.diagnostics).toBeTruthy();
    expect(summary?.refused).toBe(1);
  });

  it("on a rerun, skips sent and refused, sends again what certainly failed, and never sends an unknown again", async () => {
    const journal = createMemoryJournal();
    const messages = [inApp(1), inApp(2), inApp(3), inApp(4, "x".repeat(5001))];
    const first = await run(messages, journal, { "ref-2": "timeout-before-sending", "ref-3": "server-error" });
    expect(first.summary).toMatchObject({ sent: 1, failed: 1, unknown: 1, refused: 1, unsettled: ["ref-3"] });

    const second = await run(messages, journal);
    expect(second.sends.map((s) => s.reference)).toEqual(["ref-2"]);
    expect(second.summary).toMatchObject({ total: 4, sent: 2, refused: 1, unknown: 1, unsettled: ["ref-3"] });
    expect(second.outcomes.find((o) => o.requestReference === "ref-1")?.fromEarlierRun).toBe(true);
  });

  it("settles an unknown from the receipts report when the NHS App lists it, without sending it", async () => {
    const journal = createMemoryJournal();
    await run([inApp(1), inApp(2)], journal, { "ref-1": "timeout-after-sending", "ref-2": "timeout-after-sending" });
    const rerun = await run([inApp(1), inApp(2)], journal, {}, { "ref-1": "found-in-report" });
    expect(rerun.sends).toEqual([]);
    expect(rerun.outcomes.find((o) => o.requestReference === "ref-1")).toMatchObject({
      state: "sent",
      communicationId: "found-in-report",
      reconciled: true,
    });
    expect(rerun.summary).toMatchObject({ sent: 1, unknown: 1, unsettled: ["ref-2"] });
  });

  it("sends an unknown again only when its day's report is complete and does not list it", async () => {
    const journal = createMemoryJournal();
    await run([inApp(1), inApp(2)], journal, { "ref-1": "timeout-after-sending", "ref-2": "timeout-after-sending" });
    // Today's report is not complete by default (the NHS App builds it daily): both stay unknown, unsent.
    const today = await run([inApp(1), inApp(2)], journal, {}, { "ref-2": "comm-2" });
    expect(today.sends).toEqual([]);
    expect(today.summary).toMatchObject({ sent: 1, unknown: 1, unsettled: ["ref-1"] });
    // The environment says the report is complete (a sandbox whose clock has moved on): absent means never
    // processed, so it is sent, once.
    const fake = fakeClient({ journal, reported: { "ref-2": "comm-2" } });
    const outcomes: MessageOutcome[] = [];
    for await (const outcome of sendBatch(fake.client, [inApp(1), inApp(2)], {
      journal,
      requestsPerSecond: 1000,
      reconcile: { isReportComplete: async () => true },
    })) {
      outcomes.push(outcome);
    }
    expect(fake.sends.map((s) => s.reference)).toEqual(["ref-1"]);
    expect(outcomes.find((o) => o.requestReference === "ref-1")).toMatchObject({
      state: "sent",
      communicationId: "comm-ref-1",
    });
  });

  it("treats a send that died half way (journalled sending, never settled) as unknown, not as unsent", async () => {
    const journal = createMemoryJournal();
    // A first run leaves ref-1 failed (certainly not processed); a second dies right after journalling its send.
    await run([inApp(1)], journal, { "ref-1": "timeout-before-sending" });
    expect(await journal.markSending("ref-1", new Date())).toBe(true);
    const rerun = await run([inApp(1)], journal);
    expect(rerun.sends).toEqual([]);
    expect(rerun.summary).toMatchObject({ unknown: 1, unsettled: ["ref-1"] });
    expect((await journal.entries())[0]?.state).toBe("unknown");
  });

  it("on a shared journal, waits for another worker's send in flight, and reconciles one whose worker has gone", async () => {
    const memory = createMemoryJournal();
    await run([inApp(1), inApp(2)], memory, { "ref-1": "timeout-before-sending", "ref-2": "timeout-before-sending" });
    // Another worker is sending ref-1 now; ref-2's worker died mid-send: the journal's leases say which.
    expect(await memory.markSending("ref-1", new Date())).toBe(true);
    expect(await memory.markSending("ref-2", new Date())).toBe(true);
    const live = (entry: JournalEntry): JournalEntry =>
      entry.state === "sending" ? { ...entry, claimLive: entry.requestReference === "ref-1" } : entry;
    const shared: Journal = {
      ...memory,
      shared: true,
      admit: async (messages) => (await memory.admit(messages)).map(live),
      lookup: async (references) => (await memory.lookup(references)).map(live),
    };
    const fake = fakeClient({ journal: shared, reported: { "ref-2": "comm-2" } });
    const outcomes: MessageOutcome[] = [];
    const batch = sendBatch(fake.client, [inApp(1), inApp(2)], { journal: shared, requestsPerSecond: 1000 });
    // The other worker's send is answered a little later.
    setTimeout(() => void memory.settle("ref-1", { state: "sent", communicationId: "comm-1" }), 100);
    let next = await batch.next();
    while (!next.done) {
      outcomes.push(next.value);
      next = await batch.next();
    }
    expect(fake.sends).toEqual([]);
    expect(outcomes.map((o) => [o.requestReference, o.state, o.reconciled])).toEqual([["ref-2", "sent", true]]);
    expect(next.value).toMatchObject({ claimedElsewhere: 1, sent: 1, unknown: 0 });
  });

  it("on a shared journal that cannot tell live workers from dead, goes by the age of the send", async () => {
    const memory = createMemoryJournal();
    const shared: Journal = { ...memory, shared: true };
    await run([inApp(1)], shared, { "ref-1": "timeout-before-sending" });
    expect(await shared.markSending("ref-1", new Date(Date.now() - 10 * 60_000))).toBe(true);
    const rerun = await run([inApp(1)], shared);
    expect(rerun.sends).toEqual([]);
    expect(rerun.summary).toMatchObject({ unknown: 1, unsettled: ["ref-1"], claimedElsewhere: 0 });
  });

  it("when stopped, leaves nothing claimed but unsent: a message waiting for its turn stays pending, and is sent next time", async () => {
    const journal = createMemoryJournal();
    const fake = fakeClient({ journal });
    const stop = new AbortController();
    const outcomes: MessageOutcome[] = [];
    // One in flight and a turn every 1000 s: the second message is still waiting for its turn when the stop
    // comes, however late the stop's timer fires.
    for await (const outcome of sendBatch(fake.client, [inApp(1), inApp(2), inApp(3)], {
      journal,
      requestsPerSecond: 0.001,
      concurrency: 1,
      signal: stop.signal,
    })) {
      outcomes.push(outcome);
      if (outcome.requestReference === "ref-1") setTimeout(() => stop.abort(), 50);
    }
    expect(fake.sends.map((s) => s.reference)).toEqual(["ref-1"]);
    const states = Object.fromEntries((await journal.entries()).map((e) => [e.requestReference, e.state]));
    expect(states).toEqual({ "ref-1": "sent", "ref-2": "pending", "ref-3": "pending" });
    const rerun = await run([inApp(1), inApp(2), inApp(3)], journal);
    expect(rerun.sends.map((s) => s.reference).sort()).toEqual(["ref-2", "ref-3"]);
  });

  it("refuses a reference the journal holds for a different message, sending nothing of it", async () => {
    const journal = createMemoryJournal();
    await run([inApp(1, "First text")], journal);
    const again = await run([inApp(1, "Another text"), inApp(2)], journal);
    expect(again.sends.map((s) => s.reference)).toEqual(["ref-2"]);
    expect(again.outcomes.find((o) => o.requestReference === "ref-1")).toMatchObject({
      state: "refused",
      issues: [{ code: "duplicate" }],
    });
    expect((await journal.lookup(["ref-1"]))[0]?.body).toContain("First text");
  });

  it("stops before sending, never after, when the journal cannot be written", async () => {
    const journal = createMemoryJournal();
    const broken: Journal = {
      ...journal,
      markSending: async () => {
        throw new JournalError("the disk is full");
      },
    };
    const fake = fakeClient({ journal });
    const batch = sendBatch(fake.client, [inApp(1), inApp(2)], { journal: broken, requestsPerSecond: 1000 });
    await expect(
      (async () => {
        for await (const _ of batch);
      })(),
    ).rejects.toThrow("the disk is full");
    expect(fake.sends).toEqual([]);
  });

  it("reads the campaign only a little ahead of its sends, however long it is", async () => {
    const journal = createMemoryJournal();
    const fake = fakeClient({ journal });
    let read = 0;
    let furthestAhead = 0;
    async function* campaign() {
      for (let n = 0; n < 5_000; n++) {
        read++;
        yield inApp(n);
      }
    }
    let settled = 0;
    for await (const _ of sendBatch(fake.client, campaign(), { journal, requestsPerSecond: 1e6, concurrency: 4 })) {
      settled++;
      furthestAhead = Math.max(furthestAhead, read - settled);
    }
    expect(settled).toBe(5_000);
    expect(new Set(fake.sends.map((s) => s.reference)).size).toBe(5_000);
    // A chunk being journalled, a chunk queued to send, and the sends in flight: never the whole campaign.
    expect(furthestAhead).toBeLessThanOrEqual(2 * 500 + 4 + 1);
  });

  it("journals a message as sending at its turn, not while it waits for it", async () => {
    const journal = createMemoryJournal();
    const fake = fakeClient({ journal });
    const stop = new AbortController();
    for await (const outcome of sendBatch(fake.client, [inApp(1), inApp(2)], {
      journal,
      requestsPerSecond: 0.001,
      concurrency: 2,
      signal: stop.signal,
    })) {
      if (outcome.requestReference === "ref-1") {
        // ref-2 waits 1000 s for its turn: it must not be in the journal as sending meanwhile.
        expect((await journal.lookup(["ref-2"]))[0]?.state).toBe("pending");
        stop.abort();
      }
    }
    expect(fake.sends.map((s) => s.reference)).toEqual(["ref-1"]);
    expect(journal.writes).toEqual(["sending ref-1", "sent ref-1"]);
  });
});

describe("settling unknowns from the receipts reports", () => {
  /** A journal whose unknowns began sending at `since`, after a first run left them unknown. */
  async function unknownsSince(since: string, count: number) {
    const memory = createMemoryJournal();
    const messages = Array.from({ length: count }, (_, i) => inApp(i + 1));
    const answers = Object.fromEntries(messages.map((m) => [m.requestReference, "timeout-after-sending" as const]));
    await run(messages, memory, answers, {}, false);
    const at = (entry: JournalEntry): JournalEntry => (entry.sendingSince ? { ...entry, sendingSince: since } : entry);
    const journal: Journal = {
      ...memory,
      admit: async (batch) => (await memory.admit(batch)).map(at),
      lookup: async (references) => (await memory.lookup(references)).map(at),
    };
    return { journal, messages };
  }
  async function rerun(
    journal: Journal,
    messages: CampaignMessage[],
    reports: Record<string, [string, string][][]>,
    complete: string[],
  ) {
    const fake = fakeClient({ journal, reports });
    const asked: string[] = [];
    const outcomes: MessageOutcome[] = [];
    const batch = sendBatch(fake.client, messages, {
      journal,
      requestsPerSecond: 1e6,
      reconcile: {
        isReportComplete: (day) => {
          asked.push(`${day} asked after ${fake.pagesRead.filter((page) => page.startsWith(day)).length} pages`);
          return complete.includes(day);
        },
      },
    });
    let next = await batch.next();
    while (!next.done) {
      outcomes.push(next.value);
      next = await batch.next();
    }
    return { outcomes, summary: next.value, sends: fake.sends, pagesRead: fake.pagesRead, asked };
  }

  it("stops reading a report once every unknown is found, and says how many pages it read", async () => {
    const { journal, messages } = await unknownsSince("2026-03-10T09:00:00.000Z", 2);
    const page = (reference: string): [string, string][] => [[reference, `comm-of-${reference}`]];
    const result = await rerun(
      journal,
      messages,
      { "2026-03-10": [page("other-1"), page("ref-2"), page("ref-1"), page("other-2"), page("other-3")] },
      [],
    );
    expect(result.pagesRead).toEqual(["2026-03-10 1", "2026-03-10 2", "2026-03-10 3"]);
    expect(result.summary).toMatchObject({ sent: 2, unknown: 0, reportPagesRead: 3 });
    expect(result.sends).toEqual([]);
  });

  it("looks in the next day's report too when the receipt may have come after midnight", async () => {
    const { journal, messages } = await unknownsSince("2026-03-10T23:59:30.000Z", 1);
    const result = await rerun(
      journal,
      messages,
      { "2026-03-10": [[["other", "c"]]], "2026-03-11": [[["ref-1", "comm-late"]]] },
      ["2026-03-10", "2026-03-11"],
    );
    expect(result.sends).toEqual([]);
    expect(result.outcomes).toMatchObject([{ requestReference: "ref-1", state: "sent", communicationId: "comm-late" }]);
  });

  it("sends again only when every day the message could be on was complete before it was read", async () => {
    const { journal, messages } = await unknownsSince("2026-03-10T23:30:00.000Z", 1);
    const reports: Record<string, [string, string][][]> = {
      "2026-03-10": [[["other", "c"]]],
      "2026-03-11": [[["other-2", "c2"]]],
    };
    // The next day's report is not complete yet: the receipt could still come there.
    const early = await rerun(journal, messages, reports, ["2026-03-10"]);
    expect(early.sends).toEqual([]);
    expect(early.summary).toMatchObject({ unknown: 1, unsettled: ["ref-1"] });
    // Both complete, and each asked before its first page was read.
    const later = await rerun(journal, messages, reports, ["2026-03-10", "2026-03-11"]);
    expect(later.asked).toEqual(["2026-03-10 asked after 0 pages", "2026-03-11 asked after 0 pages"]);
    expect(later.sends.map((s) => s.reference)).toEqual(["ref-1"]);
    expect(later.summary).toMatchObject({ sent: 1, unknown: 0 });
  });

  it("keeps an unknown unknown when a report cannot be read (no report for the day yet)", async () => {
    const { journal, messages } = await unknownsSince("2026-03-10T09:00:00.000Z", 1);
    const result = await rerun(journal, messages, {}, ["2026-03-10"]);
    expect(result.sends).toEqual([]);
    expect(result.summary).toMatchObject({ unknown: 1, unsettled: ["ref-1"] });
  });

  it("two workers settling the same leftover at once: one writes, and it is sent again once", async () => {
    const { journal, messages } = await unknownsSince("2026-03-10T09:00:00.000Z", 1);
    const shared: Journal = { ...journal, shared: true };
    const reports = { "2026-03-10": [[["other", "c"]]] as [string, string][][] };
    const [a, b] = await Promise.all([
      rerun(shared, messages, reports, ["2026-03-10"]),
      rerun(shared, messages, reports, ["2026-03-10"]),
    ]);
    expect([...(a?.sends ?? []), ...(b?.sends ?? [])].map((s) => s.reference)).toEqual(["ref-1"]);
    expect((await journal.lookup(["ref-1"]))[0]?.state).toBe("sent");
  });

  it("a message changed under a reference left unknown: the change is refused, and the unknown is still named", async () => {
    const { journal } = await unknownsSince("2026-03-10T09:00:00.000Z", 1);
    const changed = inApp(1, "A corrected text");
    const result = await rerun(journal, [changed], {}, []);
    expect(result.sends).toEqual([]);
    expect(result.summary).toMatchObject({ refused: 1, unknown: 1, unsettled: ["ref-1"] });
  });

  it("stopped while settling, a batch still names its unknowns", async () => {
    const { journal, messages } = await unknownsSince("2026-03-10T09:00:00.000Z", 2);
    const stop = new AbortController();
    const fake = fakeClient({ journal, reports: { "2026-03-10": [[["ref-1", "c1"]]] } });
    const batch = sendBatch(fake.client, messages, {
      journal,
      requestsPerSecond: 1e6,
      signal: stop.signal,
      // Ctrl-C comes as the first report is about to be read.
      reconcile: {
        isReportComplete: () => {
          stop.abort();
          return false;
        },
      },
    });
    let next = await batch.next();
    const outcomes: MessageOutcome[] = [];
    while (!next.done) {
      outcomes.push(next.value);
      next = await batch.next();
    }
    expect(fake.pagesRead).toEqual([]);
    expect(next.value.unsettled.sort()).toEqual(["ref-1", "ref-2"]);
    expect(outcomes.map((o) => o.state)).toEqual(["unknown", "unknown"]);
  });
});

describe("a caller that stops taking outcomes", () => {
  it("stops the batch and gets its answer back, however many outcomes were waiting", async () => {
    const journal = createMemoryJournal();
    const messages = Array.from({ length: 3_000 }, (_, i) => inApp(i));
    await run(messages, journal);
    // A rerun: every message settled already, so outcomes pile up faster than this caller takes them.
    const fake = fakeClient({ journal });
    let taken = 0;
    for await (const _ of sendBatch(fake.client, messages, { journal, requestsPerSecond: 1e6 })) {
      if (++taken === 1) break;
    }
    expect(taken).toBe(1);
    expect(fake.sends).toEqual([]);
  });
});
