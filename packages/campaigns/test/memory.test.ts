// A campaign's memory follows the messages in flight, not the campaign's
// length: the heap after 120,000 messages is within a few megabytes of the
// heap after 20,000. (The figures for a 100 MB file and the CLI are in
// `pnpm bench`; this shows the slope, on a stand-in client and a journal that
// keeps nothing, so that only sendBatch's own memory is measured.)
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { inAppMessage } from "@nhs-app-api/client";
import { testNhsNumber } from "@nhs-app-api/testing";
import { describe, expect, it } from "vitest";
import { type CampaignClient, type CampaignMessage, type Journal, sendBatch } from "../src/index.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Heap and the buffers outside it (typed arrays), after a full collection. */
function usedBytes(): number {
  gc();
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** A journal that remembers nothing: every message is new, every claim succeeds. */
const forgetful: Journal = {
  admit: async (messages) => messages.map((m) => ({ ...m, state: "pending", attempts: 0 })),
  markSending: async () => true,
  rateTurn: async () => () => {},
  settle: async () => true,
  lookup: async () => [],
  entries: async () => [],
  close: async () => {},
};

const created = { communicationId: "c", correlationId: "c", status: 201, location: undefined, resource: {} };
/** Answered on a later turn of the event loop, as an answer from the network is. */
const answer = () => new Promise<typeof created>((resolve) => setImmediate(() => resolve(created)));
const client = {
  sendInAppMessage: answer,
  sendPushNotification: answer,
  receipts: {},
} as unknown as CampaignClient;

describe("a long campaign", () => {
  it("holds memory for the messages in flight, not for every message read", async () => {
    const MESSAGES = 120_000;
    const template = inAppMessage({ nhsNumber: testNhsNumber(1), odsCode: "B82041", text: "x".repeat(400) });
    async function* campaign(): AsyncGenerator<CampaignMessage> {
      for (let n = 0; n < MESSAGES; n++) {
        yield { kind: "in-app", requestReference: `campaign-2026-${n}`, message: { ...template } };
      }
    }
    const samples = new Map<number, number>();
    let settled = 0;
    for await (const _ of sendBatch(client, campaign(), { journal: forgetful, concurrency: 4 })) {
      settled++;
      if (settled === 20_000 || settled === MESSAGES - 1000) samples.set(settled, usedBytes());
    }
    expect(settled).toBe(MESSAGES);
    const growth = (samples.get(MESSAGES - 1000) ?? 0) - (samples.get(20_000) ?? 0);
    const perMessage = growth / (MESSAGES - 21_000);
    // Each message's body is about 900 bytes: holding them (or their outcomes) would be ten times this. The
    // set of references seen, 16 to 32 bytes a message, is all that may grow.
    expect(perMessage).toBeLessThan(80);
  }, 120_000);
});
