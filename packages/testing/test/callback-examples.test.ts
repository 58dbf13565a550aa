import { enums, operations, requestBodyIssues } from "@nhs-app-api/contract";
import { describe, expect, it } from "vitest";
import { receiptExamples, replyExamples } from "../src/index.js";

describe("callback bodies for testing a supplier's own endpoint", () => {
  it("has a valid receipt for every receipt code, posted to the receipts path", () => {
    const examples = receiptExamples();
    for (const example of examples) {
      expect(requestBodyIssues("create-realtime-receipt", example.body), example.name).toEqual([]);
      expect(example).toMatchObject({ method: "POST", path: operations["create-realtime-receipt"].path });
    }
    const codes = examples.map((example) => example.body.code.coding[0]?.code);
    expect(new Set(codes)).toEqual(new Set(enums.receiptCodes));
  });

  it("has valid keyword and free-text replies, posted to the replies path", () => {
    const examples = replyExamples();
    expect(examples.map((example) => example.name)).toEqual(
      expect.arrayContaining(["reply-keyword", "reply-free-text"]),
    );
    for (const example of examples) {
      expect(requestBodyIssues("create-realtime-replies", example.body), example.name).toEqual([]);
      expect(example).toMatchObject({ method: "POST", path: operations["create-realtime-replies"].path });
    }
  });

  it("gives whole bodies, with no references left in them", () => {
    expect(JSON.stringify([...receiptExamples(), ...replyExamples()])).not.toContain("$ref");
  });

  it("gives fresh copies, so a test may break one without breaking the next", () => {
    const first = receiptExamples()[0];
    if (!first) throw new Error("no receipt examples");
    first.body.code.coding = [];
    expect(receiptExamples()[0]?.body.code.coding.length).toBeGreaterThan(0);
  });
});
