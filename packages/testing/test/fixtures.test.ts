// The fixed receipt report (served for a day no message was sent on) reads as
// the NHS App's delivery state model allows, page after page, whatever the
// page size and count: each made-up communication's receipts one legal step
// after another, at times that follow the order.
import { enums, systems } from "@nhs-app-api/contract";
import type { Receipt } from "@nhs-app-api/types";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestClient, responseBodyIssues } from "../src/index.js";
import { createNhsAppMock } from "../src/msw.js";
import { NEXT } from "./state-model.ts";

type ReceiptCode = Receipt["code"]["coding"][number]["code"];

const DAY = "2024-03-01";
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

/** Every page of the fixed report of `DAY` as a mock with these options serves it, read up to the page with no next link. */
async function fixedReport(options: { receiptPages?: number; receiptsPerPage?: number }) {
  const mock = createNhsAppMock(options);
  server.resetHandlers(...mock.handlers);
  const client = createTestClient(mock);
  const pages = [await client.getReceiptReport({ day: DAY })];
  while (pages.at(-1)?.links.next && pages.length < 1000) {
    pages.push(await client.getReceiptReport({ day: DAY, page: pages.length + 1 }));
  }
  return pages;
}

const codeOf = (receipt: Receipt) => receipt.code.coding[0]?.code ?? "(none)";
const communicationOf = (receipt: Receipt) => receipt.identifier?.[0]?.value ?? "(none)";

/** What is wrong with a report's receipts against the state model, one line each (none when it holds). */
function stateModelBreaches(receipts: readonly Receipt[]): string[] {
  const breaches: string[] = [];
  const byCommunication = new Map<string, Receipt[]>();
  for (const receipt of receipts) {
    const id = communicationOf(receipt);
    byCommunication.set(id, [...(byCommunication.get(id) ?? []), receipt]);
  }
  for (const [id, own] of byCommunication) {
    let state = "Received";
    for (const receipt of own) {
      const code = codeOf(receipt);
      if (!NEXT[state]?.includes(code)) breaches.push(`${id}: ${state} -> ${code}`);
      state = code;
    }
    const times = own.map((receipt) => Date.parse(receipt.lastModified));
    if (times.some((time, i) => i > 0 && time <= (times[i - 1] as number))) {
      breaches.push(`${id}: lastModified out of order (${own.map((r) => r.lastModified).join(", ")})`);
    }
    if (new Set(own.map((receipt) => receipt.authoredOn)).size !== 1) breaches.push(`${id}: authoredOn differs`);
    if (Date.parse(own[0]?.authoredOn ?? "") > (times[0] as number)) breaches.push(`${id}: sent after its receipt`);
  }
  return breaches;
}

describe("the fixed receipt report", () => {
  it.each([
    { pages: 3, perPage: 4, options: {} }, // the defaults
    { pages: 5, perPage: 7, options: { receiptPages: 5, receiptsPerPage: 7 } },
    { pages: 1, perPage: 1, options: { receiptPages: 1, receiptsPerPage: 1 } },
    { pages: 6, perPage: 1, options: { receiptPages: 6, receiptsPerPage: 1 } },
    { pages: 2, perPage: 13, options: { receiptPages: 2, receiptsPerPage: 13 } },
    // More than a minute apart from 09:00 could fit in the day.
    { pages: 20, perPage: 100, options: { receiptPages: 20, receiptsPerPage: 100 } },
  ])(
    "of $pages pages of $perPage: each communication's receipts follow the state model, in time order",
    async ({ pages, perPage, options }) => {
      const read = await fixedReport(options);
      // The paging is as ever: every page full, the last one named by each, the total the whole report.
      expect(read.map((page) => [page.page, page.lastPage, page.items.length])).toEqual(
        Array.from({ length: pages }, (_, i) => [i + 1, pages, perPage]),
      );
      for (const page of read) {
        expect(page.bundle.total).toBe(pages * perPage);
        expect(responseBodyIssues("get-receipt-report", 200, page.bundle)).toEqual([]);
      }
      const receipts = read.flatMap((page) => page.items);
      expect(stateModelBreaches(receipts)).toEqual([]);
      // One report-wide order of time, all of it on the day asked for.
      const times = receipts.map((receipt) => receipt.lastModified);
      expect(times.every((time) => time.startsWith(DAY))).toBe(true);
      expect(times.every((time, i) => i === 0 || Date.parse(time) >= Date.parse(times[i - 1] as string))).toBe(true);
      // A Rejected receipt is the rejected status with a reason; every other one completed.
      for (const receipt of receipts) {
        const rejected = codeOf(receipt) === "Rejected";
        expect([receipt.status, receipt.statusReason?.text !== undefined]).toEqual([
          rejected ? "rejected" : "completed",
          rejected,
        ]);
      }
      expect(new Set(receipts.map((receipt) => receipt.id)).size).toBe(receipts.length);
    },
  );

  it("by default shows every receipt code the spec knows, the same on every read", async () => {
    const first = (await fixedReport({})).flatMap((page) => page.items);
    const codes = first.map(codeOf);
    expect(new Set(codes)).toEqual(new Set(enums.receiptCodes));
    const count = (code: string) => codes.filter((c) => c === code).length;
    expect(Object.fromEntries(enums.receiptCodes.map((code) => [code, count(code)]))).toEqual({
      Delivered: 3,
      Rejected: 2,
      NotificationAttempted: 2,
      Notified: 2,
      Unnotified: 1,
      Read: 2,
    });
    expect((await fixedReport({})).flatMap((page) => page.items)).toEqual(first);
  });

  it("the state model check fails on a communication that goes on after Rejected", () => {
    // The check itself must be able to fail: the old fixture's first communication, Delivered then Rejected.
    const receipt = (code: ReceiptCode, minute: number): Receipt =>
      ({
        id: `r${minute}`,
        resourceType: "Task",
        intent: "order",
        identifier: [{ system: systems.communicationId, value: "c1" }],
        status: "completed",
        code: { coding: [{ system: systems.receiptStatus, code }] },
        authoredOn: `${DAY}T09:00:00Z`,
        lastModified: `${DAY}T09:${String(minute).padStart(2, "0")}:00Z`,
      }) as Receipt;
    expect(stateModelBreaches([receipt("Delivered", 10), receipt("Rejected", 11), receipt("Notified", 12)])).toEqual([
      "c1: Delivered -> Rejected",
      "c1: Rejected -> Notified",
    ]);
  });
});
