import { inAppMessage, pushNotification } from "@nhs-app-api/client";
import { testNhsNumber } from "@nhs-app-api/testing";
import { describe, expect, it } from "vitest";
import {
  type BatchSummary,
  type CampaignMessage,
  createMemoryJournal,
  DuplicateReferenceError,
  type Journal,
  JournalError,
  type MessageOutcome,
  ReferenceReusedError,
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
) {
  const fake = fakeClient({ journal, answers, reported });
  const outcomes: MessageOutcome[] = [];
  const batch = sendBatch(fake.client, messages, { journal, requestsPerSecond: 1000, concurrency: 3 });
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
      unsettled: [],
    });
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

  it("refuses the whole batch, sending nothing, when a request reference repeats", async () => {
    const journal = createMemoryJournal();
    const result = run([inApp(1), inApp(2), inApp(1), push(2)], journal);
    await expect(result).rejects.toBeInstanceOf(DuplicateReferenceError);
    await expect(result).rejects.toThrow("ref-1, ref-2");
    expect(await journal.entries()).toEqual([]);
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
    // A report known to be complete (a sandbox's): absent means never processed, so it is sent, once.
    const fake = fakeClient({ journal, reported: { "ref-2": "comm-2" } });
    const outcomes: MessageOutcome[] = [];
    for await (const outcome of sendBatch(fake.client, [inApp(1), inApp(2)], {
      journal,
      requestsPerSecond: 1000,
      reconcile: { reportsComplete: "immediately" },
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

  it("on a shared journal, leaves another worker's send in flight alone, and reconciles one a crash left long ago", async () => {
    const memory = createMemoryJournal();
    const shared: Journal = { ...memory, shared: true };
    await run([inApp(1), inApp(2)], shared, { "ref-1": "timeout-before-sending", "ref-2": "timeout-before-sending" });
    // Another worker has just begun sending ref-1; ref-2's send began long ago and its worker died.
    expect(await shared.markSending("ref-1", new Date())).toBe(true);
    expect(await shared.markSending("ref-2", new Date(Date.now() - 10 * 60_000))).toBe(true);
    const fake = fakeClient({ journal: shared, reported: { "ref-2": "comm-2" } });
    const outcomes: MessageOutcome[] = [];
    const batch = sendBatch(fake.client, [inApp(1), inApp(2)], {
      journal: shared,
      requestsPerSecond: 1000,
      reconcile: { reportsComplete: "immediately" },
    });
    let next = await batch.next();
    while (!next.done) {
      outcomes.push(next.value);
      next = await batch.next();
    }
    expect(fake.sends).toEqual([]);
    expect(outcomes.map((o) => [o.requestReference, o.state])).toEqual([["ref-2", "sent"]]);
    expect(next.value).toMatchObject({ claimedElsewhere: 1, sent: 1 });
    expect((await shared.entries()).find((e) => e.requestReference === "ref-1")?.state).toBe("sending");
  });

  it("when stopped, leaves nothing claimed but unsent as sending: a message waiting for its turn is failed, and sent next time", async () => {
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
    expect(states).toEqual({ "ref-1": "sent", "ref-2": "failed", "ref-3": "pending" });
    const rerun = await run([inApp(1), inApp(2), inApp(3)], journal);
    expect(rerun.sends.map((s) => s.reference).sort()).toEqual(["ref-2", "ref-3"]);
  });

  it("refuses a reference the journal holds for a different message, sending nothing", async () => {
    const journal = createMemoryJournal();
    await run([inApp(1, "First text")], journal);
    const again = run([inApp(1, "Another text")], journal);
    await expect(again).rejects.toBeInstanceOf(ReferenceReusedError);
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
});
