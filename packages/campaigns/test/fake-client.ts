// A stand-in for the client whose answers a test scripts per request
// reference, recording every send with the journal state it saw at that moment.
import { ServerError, TimeoutError } from "@nhs-app-api/client";
import { systems } from "@nhs-app-api/contract";
import type { CampaignClient, Journal } from "../src/index.js";

export type Answer = "created" | "server-error" | "timeout-before-sending" | "timeout-after-sending";

export interface FakeSend {
  reference: string;
  journalState: string | undefined;
}

const referenceOf = (body: unknown) =>
  ((body as { identifier?: { system: string; value: string }[] }).identifier ?? []).find(
    (identifier) => identifier.system === systems.requestId,
  )?.value ?? "";

export function fakeClient(options: {
  journal: Journal;
  answers?: Record<string, Answer>;
  /** Receipts the report of any day lists, on one page: request reference -> communication ID. */
  reported?: Record<string, string>;
  /** Or the reports day by day, page by page: each page's receipts as [request reference, communication ID]. */
  reports?: Record<string, [string, string][][]>;
}) {
  const sends: FakeSend[] = [];
  /** Each page read, as "day page". */
  const pagesRead: string[] = [];
  const receiptsOf = (page: [string, string][]) =>
    page.map(([reference, communicationId]) => ({
      identifier: [
        { system: systems.communicationId, value: communicationId },
        { system: systems.requestId, value: reference },
      ],
    }));
  const send = async (body: unknown) => {
    const reference = referenceOf(body);
    const state = (await options.journal.lookup([reference]))[0]?.state;
    sends.push({ reference, journalState: state });
    const answer = options.answers?.[reference] ?? "created";
    if (answer === "server-error") throw new ServerError("500 from the NHS App", { status: 500 });
    if (answer === "timeout-before-sending")
      throw new TimeoutError("no token in time", { mayHaveBeenProcessed: false });
    if (answer === "timeout-after-sending") throw new TimeoutError("no answer in time", { mayHaveBeenProcessed: true });
    return {
      communicationId: `comm-${reference}`,
      correlationId: "c",
      status: 201,
      location: undefined,
      resource: body,
    };
  };
  const client = {
    sendInAppMessage: send,
    sendPushNotification: send,
    receipts: {
      // By default the whole report on one page, as the sandbox's day report of a few messages is.
      pages: async function* (day: string) {
        const pages = options.reports ? (options.reports[day] ?? []) : [Object.entries(options.reported ?? {})];
        if (pages.length === 0) throw new Error(`404: no report for ${day}`);
        for (const [i, page] of pages.entries()) {
          pagesRead.push(`${day} ${i + 1}`);
          yield { items: receiptsOf(page) };
        }
      },
      items: () => {
        throw new Error("not used: reconciling reads pages, each page a rate turn");
      },
    },
  } as unknown as CampaignClient;
  return { client, sends, pagesRead };
}
