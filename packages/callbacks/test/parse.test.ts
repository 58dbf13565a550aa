import { enums } from "@nhs-app-api/contract";
import { describe, expect, it } from "vitest";
import { parseReceipt, parseReply, RECEIPT_STATUSES, receiptFromTask } from "../src/index.js";
import { callbackExamples } from "./examples.js";

const receipts = callbackExamples("realtime-receipts");
const replies = callbackExamples("realtime-replies");

describe("parseReceipt", () => {
  it("parses every receipt example of the callback spec, as text, Buffer or object", () => {
    expect(Object.keys(receipts).sort()).toEqual([
      "delivered",
      "notificationattempted",
      "notified",
      "read",
      "rejected",
      "unnotified",
    ]);
    for (const example of Object.values(receipts)) {
      for (const body of [example as object, JSON.stringify(example), Buffer.from(JSON.stringify(example))]) {
        const result = parseReceipt(body);
        expect(result.ok).toBe(true);
      }
    }
  });

  it("normalises a receipt: communication ID, kind, status, reason, times in UTC, campaign and request references", () => {
    const result = parseReceipt(receipts.rejected as object);
    expect(result).toMatchObject({
      ok: true,
      receipt: {
        communicationId: "8f7ec136-66eb-4a9e-97ca-5c7a53d2710c",
        kind: "Rejected",
        status: "rejected",
        reason: "NHS number not found",
        authoredOn: "2021-08-05T13:20:52.000Z",
        occurredAt: "2021-08-05T13:22:52.000Z",
        campaignId: "optional campaign id",
        requestReference: "optional request reference",
      },
    });
    expect(parseReceipt(receipts.notificationattempted as object)).toMatchObject({
      ok: true,
      receipt: { kind: "NotificationAttempted" },
    });
  });

  it("keeps a receipt code the NHS App may add in future", () => {
    const future = structuredClone(receipts.read) as { code: { coding: { code: string }[] } };
    future.code.coding[0] = { ...future.code.coding[0], code: "Archived" } as { code: string };
    expect(parseReceipt(future)).toMatchObject({ ok: true, receipt: { kind: "Archived" } });
  });

  it("accepts times with Z and with +00:00, and trims identifier values", () => {
    const body = structuredClone(receipts.delivered) as Record<string, unknown> & {
      identifier: { system: string; value: string }[];
    };
    body.lastModified = "2021-08-05T13:22:52Z";
    for (const identifier of body.identifier) identifier.value = ` ${identifier.value}`;
    const result = parseReceipt(body);
    expect(result).toMatchObject({
      ok: true,
      receipt: { occurredAt: "2021-08-05T13:22:52.000Z", communicationId: "8f7ec136-66eb-4a9e-97ca-5c7a53d2710c" },
    });
  });

  it("takes the statuses the contract lists, from the callback spec and the report's, and no other", () => {
    // The union of the two generated enums, so a spec change to either reaches the parser.
    expect([...RECEIPT_STATUSES].sort()).toEqual(
      [...new Set([...enums.realtimeReceiptStatuses, ...enums.receiptStatuses])].sort(),
    );
    for (const status of enums.realtimeReceiptStatuses) {
      expect(parseReceipt({ ...(receipts.delivered as object), status })).toMatchObject({
        ok: true,
        receipt: { status },
      });
    }
    for (const status of ["banana", "Completed", "", 1]) {
      expect(parseReceipt({ ...(receipts.delivered as object), status })).toMatchObject({
        ok: false,
        issues: [{ expression: ["status"] }],
      });
      // A report Task is held to the same list, worded from it.
      expect(receiptFromTask({ ...(receipts.delivered as object), id: "b2ac2ae7", status })).toMatchObject({
        ok: false,
        issues: [{ diagnostics: `status must be ${RECEIPT_STATUSES.join(" or ")}`, expression: ["status"] }],
      });
    }
  });

  it("reads statusReason as a plain string, in a callback and in a report Task", () => {
    const callback = { ...(receipts.rejected as object), statusReason: "NHS number not found" };
    expect(parseReceipt(callback)).toMatchObject({ ok: true, receipt: { reason: "NHS number not found" } });
    const task = { ...callback, id: "b2ac2ae7" };
    expect(receiptFromTask(task)).toMatchObject({ ok: true, receipt: { reason: "NHS number not found" } });
    // Any other type is still wrong.
    expect(parseReceipt({ ...(receipts.rejected as object), statusReason: 42 })).toMatchObject({
      ok: false,
      issues: [{ expression: ["statusReason"] }],
    });
  });

  it("refuses bytes that are not UTF-8 instead of mending them, and reads a UTF-8 byte order mark", () => {
    const text = JSON.stringify(receipts.delivered);
    const at = Buffer.from(text).indexOf("8f7ec136");
    const bytes = Buffer.from(text);
    bytes[at] = 0xff;
    expect(parseReceipt(bytes)).toEqual({
      ok: false,
      issues: [{ severity: "error", code: "structure", diagnostics: "The body is not valid UTF-8" }],
    });
    expect(parseReceipt(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])).ok).toBe(true);
  });

  it("describes a hostile resourceType briefly, and survives absurd nesting without throwing", () => {
    const deep = `{"resourceType":${"[".repeat(20_000)}${"]".repeat(20_000)}}`;
    expect(Buffer.byteLength(deep)).toBeLessThan(64 * 1024);
    for (const parse of [parseReceipt, parseReply]) {
      expect(parse(deep)).toMatchObject({
        ok: false,
        issues: [{ code: "value", expression: ["resourceType"], diagnostics: expect.stringMatching(/not an array$/) }],
      });
      expect(parse({ resourceType: "x".repeat(10_000) })).toMatchObject({
        ok: false,
        issues: [{ diagnostics: expect.stringMatching(/not "x{40}…"$/) }],
      });
    }
    // An object nested deeper than JSON.stringify can go, handed over already parsed.
    let nested: unknown = [];
    for (let i = 0; i < 50_000; i++) nested = [nested];
    for (const result of [
      parseReceipt({ ...(receipts.read as object), identifier: nested }),
      parseReply({ ...(replies["keyword-completed"] as object), identifier: nested }),
    ]) {
      // Refused by the schema for what it is (identifier is not a list of identifiers), not by the catch-all.
      expect(result.ok).toBe(false);
      expect(!result.ok && result.issues.some((i) => i.expression?.[0]?.startsWith("identifier"))).toBe(true);
    }
  });

  it("refuses bad bodies with issues that say what is wrong", () => {
    const big = JSON.stringify({ ...(receipts.read as object), padding: "x".repeat(70_000) });
    expect(parseReceipt(big)).toEqual({
      ok: false,
      issues: [
        {
          severity: "error",
          code: "too-long",
          diagnostics: `The body is ${Buffer.byteLength(big)} bytes; at most 65536 are accepted`,
        },
      ],
    });
    expect(parseReceipt(big, { maxBodyBytes: 1_000_000 }).ok).toBe(true);
    expect(parseReceipt("{not json")).toMatchObject({
      ok: false,
      issues: [{ code: "structure", diagnostics: "The body is not valid JSON" }],
    });
    expect(parseReceipt("")).toMatchObject({
      ok: false,
      issues: [{ code: "structure", diagnostics: "The body is empty" }],
    });
    expect(parseReceipt("[1,2]")).toMatchObject({ ok: false, issues: [{ code: "structure" }] });
    expect(
      parseReceipt(receipts.read === undefined ? {} : { ...(receipts.read as object), resourceType: "Patient" }),
    ).toMatchObject({
      ok: false,
      issues: [
        { code: "value", expression: ["resourceType"], diagnostics: 'resourceType must be Task, not "Patient"' },
      ],
    });
    const { lastModified: _lastModified, intent: _intent, ...missing } = receipts.read as Record<string, unknown>;
    const result = parseReceipt(missing);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues.map((i) => i.expression?.[0]).sort()).toEqual(["intent", "lastModified"]);
    const noId = { ...(receipts.read as object), identifier: [] };
    expect(parseReceipt(noId)).toMatchObject({ ok: false, issues: [{ code: "required", expression: ["identifier"] }] });
  });
});

describe("parseReply", () => {
  it("parses every reply example, normalising keyword and free-text answers in both published forms", () => {
    expect(Object.keys(replies).sort()).toEqual([
      "freetext-completed",
      "freetext-completed-answer-array",
      "keyword-completed",
    ]);
    expect(parseReply(replies["keyword-completed"] as object)).toEqual({
      ok: true,
      reply: {
        communicationId: "8f7ec136-66eb-4a9e-97ca-5c7a53d2710c",
        patientNhsNumber: "9692113841",
        odsCode: "B82041",
        answer: { kind: "keyword", code: "SMOKE" },
        answeredAt: "2022-08-16T13:31:42.000Z",
        campaignId: "Optional Campaign ID",
        requestReference: "Optional Request Reference",
      },
      raw: replies["keyword-completed"],
    });
    for (const name of ["freetext-completed", "freetext-completed-answer-array"]) {
      expect(parseReply(JSON.stringify(replies[name]))).toMatchObject({
        ok: true,
        reply: {
          answer: { kind: "text", text: "Brief sentence or paragraph" },
          communicationId: "8f7ec136-66eb-4a9e-97ca-5c7a53d2710c",
        },
      });
    }
  });

  it("refuses an answer that is only whitespace, in each form, and keeps text with spaces around its words", () => {
    const withAnswer = (answer: unknown) => {
      const body = structuredClone(replies["keyword-completed"]) as { contained: { item: { answer: unknown }[] }[] };
      (body.contained[0]?.item[0] as { answer: unknown }).answer = answer;
      return parseReply(body);
    };
    for (const blank of [" ", "\t\n ", "\u00a0\u2003"]) {
      expect(withAnswer(blank)).toMatchObject({
        ok: false,
        issues: [{ diagnostics: "contained[0].item[0].answer: The answer is only whitespace" }],
      });
      expect(withAnswer([{ valueString: blank }])).toMatchObject({
        ok: false,
        issues: [{ expression: ["contained[0].item[0].answer[0].valueString"] }],
      });
      expect(withAnswer([{ valueCoding: { code: blank } }])).toMatchObject({
        ok: false,
        issues: [{ expression: ["contained[0].item[0].answer[0].valueCoding.code"] }],
      });
    }
    expect(withAnswer("")).toMatchObject({ ok: false, issues: [{ expression: ["contained[0].item[0].answer"] }] });
    expect(withAnswer("  Yes, please  ")).toMatchObject({
      ok: true,
      reply: { answer: { kind: "text", text: "  Yes, please  " } },
    });
    expect(withAnswer([{ valueString: "\n Monday at 9 \n" }])).toMatchObject({
      ok: true,
      reply: { answer: { kind: "text", text: "\n Monday at 9 \n" } },
    });
    expect(withAnswer([{ valueCoding: { code: " SMOKE " } }])).toMatchObject({
      ok: true,
      reply: { answer: { kind: "keyword", code: "SMOKE" } },
    });
  });

  it("refuses a reply without an answer, or of the wrong resource type", () => {
    const noAnswer = structuredClone(replies["keyword-completed"]) as { contained: { item: { answer: unknown }[] }[] };
    (noAnswer.contained[0]?.item[0] as { answer: unknown }).answer = [{}];
    expect(parseReply(noAnswer)).toMatchObject({
      ok: false,
      issues: [{ expression: ["contained[0].item[0].answer[0]"] }],
    });
    expect(parseReply({ resourceType: "Task" })).toMatchObject({
      ok: false,
      issues: [{ expression: ["resourceType"] }],
    });
    const missing = { resourceType: "CommunicationRequest" };
    const result = parseReply(missing);
    expect(!result.ok && result.issues.length).toBeGreaterThanOrEqual(8);
  });
});
