// Whatever arrives, the parsers and the handlers must not throw, and must
// never answer 2xx to a body that is not a valid callback. The oracle for
// "valid" is written here, from the callback specs' required fields, not
// borrowed from the parser under test.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCallbackHandler, handleCallback, parseReceipt, parseReply } from "../src/index.js";
import { isoInstant, toInstant } from "../src/receipts.js";
import { callbackExamples } from "./examples.js";

const handlerOptions = { onReceipt: () => undefined, onReply: () => undefined };
const receipts = Object.values(callbackExamples("realtime-receipts"));
const replies = Object.values(callbackExamples("realtime-replies"));

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isInstant = (v: unknown) => typeof v === "string" && /^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:\d{2})$/.test(v);
const hasCommunicationId = (identifiers: unknown) =>
  Array.isArray(identifiers) &&
  identifiers.some(
    (i) =>
      isObject(i) &&
      i.system === "https://fhir.nhs.uk/Id/nhs-app-communication-id" &&
      typeof i.value === "string" &&
      i.value.trim() !== "",
  );

/** What any acceptable receipt must have, whatever else the schema says. */
const couldBeReceipt = (v: unknown) =>
  isObject(v) &&
  v.resourceType === "Task" &&
  v.intent === "order" &&
  (v.status === "completed" || v.status === "rejected") &&
  isObject(v.code) &&
  isInstant(v.authoredOn) &&
  isInstant(v.lastModified) &&
  hasCommunicationId(v.identifier);

/** What any acceptable reply must have. */
const couldBeReply = (v: unknown) =>
  isObject(v) &&
  v.resourceType === "CommunicationRequest" &&
  Array.isArray(v.contained) &&
  v.contained.length === 1 &&
  Array.isArray(v.basedOn) &&
  isObject(v.requester) &&
  Array.isArray(v.recipient) &&
  Array.isArray(v.payload);

/** A valid example with one field replaced by something arbitrary: near misses, not just noise. */
const nearMiss = (examples: unknown[], fields: string[]) =>
  fc
    .tuple(fc.constantFrom(...examples), fc.constantFrom(...fields), fc.jsonValue({ maxDepth: 4 }))
    .map(([example, field, value]) => ({ ...(example as object), [field]: value }));

const receiptNearMiss = nearMiss(receipts, [
  "resourceType",
  "intent",
  "status",
  "code",
  "identifier",
  "authoredOn",
  "lastModified",
  "statusReason",
]);
const replyNearMiss = nearMiss(replies, [
  "resourceType",
  "contained",
  "status",
  "basedOn",
  "identifier",
  "payload",
  "recipient",
  "requester",
  "authoredOn",
]);

/** JSON nested deeper than any real body, with the nesting where the parsers look. */
const deeplyNested = fc
  .tuple(fc.integer({ min: 1_000, max: 30_000 }), fc.constantFrom("resourceType", "identifier", "code", "contained"))
  .map(([depth, field]) => `{"resourceType":"Task",${JSON.stringify(field)}:${"[".repeat(depth)}${"]".repeat(depth)}}`);

describe("robustness", () => {
  it("never throws, and never answers 2xx to what cannot be a callback, for arbitrary and near-miss JSON", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue().map((v) => JSON.stringify(v) ?? "null"),
          receiptNearMiss.map((v) => JSON.stringify(v)),
          replyNearMiss.map((v) => JSON.stringify(v)),
          deeplyNested,
        ),
        fc.constantFrom("/FHIR/R4/Task", "/FHIR/R4/CommunicationRequest"),
        async (text, path) => {
          const isReceipt = path.endsWith("Task");
          const parsed = isReceipt ? parseReceipt(text) : parseReply(text);
          const answer = await handleCallback(
            { method: "POST", path, body: text, contentType: "application/json" },
            handlerOptions,
          );
          expect([202, 400]).toContain(answer.status);
          expect(answer.status === 202).toBe(parsed.ok);
          if (answer.status === 202) {
            const value = JSON.parse(text) as unknown;
            expect(isReceipt ? couldBeReceipt(value) : couldBeReply(value)).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("has an oracle that agrees with the parsers on every example of the callback specs", () => {
    for (const example of receipts) expect(couldBeReceipt(example) && parseReceipt(example as object).ok).toBe(true);
    for (const example of replies) expect(couldBeReply(example) && parseReply(example as object).ok).toBe(true);
  });

  describe("arbitrary bytes", () => {
    const handler = createCallbackHandler(handlerOptions);
    let server: Server;
    let url: string;
    beforeAll(async () => {
      server = createServer(handler.node);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    /** Random bytes, and valid bodies with bytes spliced in that are not UTF-8. */
    const hostileBytes = fc.oneof(
      fc.uint8Array({ maxLength: 2048 }),
      fc
        .tuple(fc.constantFrom(...receipts, ...replies), fc.nat(), fc.constantFrom(0xff, 0xfe, 0xc0, 0x80, 0xed))
        .map(([example, at, byte]) => {
          const bytes = Buffer.from(JSON.stringify(example));
          bytes[at % bytes.length] = byte;
          return new Uint8Array(bytes);
        }),
    );

    it("never throws and never answers 2xx, through both parsers and both handlers", async () => {
      await fc.assert(
        fc.asyncProperty(
          hostileBytes,
          fc.constantFrom("/FHIR/R4/Task", "/FHIR/R4/CommunicationRequest"),
          async (bytes, path) => {
            expect(parseReceipt(bytes).ok).toBe(false);
            expect(parseReply(Buffer.from(bytes)).ok).toBe(false);
            const init = { method: "POST", body: bytes, headers: { "content-type": "application/json" } };
            const viaFetch = await handler.fetch(new Request(`http://127.0.0.1${path}`, init));
            const viaNode = await fetch(`${url}${path}`, init);
            await viaNode.arrayBuffer();
            expect([viaFetch.status, viaNode.status]).toEqual([400, 400]);
          },
        ),
        { numRuns: 200 },
      );
    });
  });
});

describe("instants", () => {
  it("are written exactly as toISOString writes them, for any valid time and most of all four-digit years", () => {
    const same = (date: Date) => {
      expect(isoInstant(date)).toBe(date.toISOString());
    };
    fc.assert(fc.property(fc.date({ noInvalidDate: true }), same), { numRuns: 2_000 });
    const fourDigitYears = { min: new Date("1000-01-01T00:00:00.000Z"), max: new Date("9999-12-31T23:59:59.999Z") };
    fc.assert(fc.property(fc.date({ ...fourDigitYears, noInvalidDate: true }), same), { numRuns: 10_000 });
  });

  it("are read from text as Date reads them, whether the text takes the short way or not", () => {
    // The oracle: Date.parse, then toISOString; toInstant rewrites the usual forms as text instead.
    const byDate = (text: string) => {
      const time = Date.parse(text);
      return Number.isNaN(time) ? undefined : new Date(time).toISOString();
    };
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, "0"));
    const text = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, "0")),
        two(13), // month 00 and 13 are no months
        two(32), // day 29-32 may not exist
        two(24),
        two(60),
        two(60),
        fc.constantFrom("", ".000", ".5", ".123", ".999", ".1234"),
        fc.constantFrom("Z", "+00:00", "z", "+01:00", "-00:00", "+0000", ""),
      )
      .map(
        ([year, month, day, hour, minute, second, fraction, zone]) =>
          `${year}-${month}-${day}T${hour}:${minute}:${second}${fraction}${zone}`,
      );
    fc.assert(
      fc.property(text, (value) => {
        if (byDate(value) === undefined || !/(?:Z|z|[+-]\d{2}:?\d{2})$/.test(value)) return; // no zone: Date reads local time, which the long way also takes; not the short way's concern
        expect(toInstant(value)).toBe(byDate(value));
      }),
      { numRuns: 20_000 },
    );
    expect(toInstant("2021-08-05T13:22:52+00:00")).toBe("2021-08-05T13:22:52.000Z");
    expect(toInstant("2021-08-05T13:22:52.120Z")).toBe("2021-08-05T13:22:52.120Z");
    expect(toInstant("2021-02-30T13:22:52Z")).toBe(byDate("2021-02-30T13:22:52Z"));
    expect(toInstant("2021-08-05T24:00:00Z")).toBe(byDate("2021-08-05T24:00:00Z"));
  });
});
