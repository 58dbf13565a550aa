// Whatever arrives, the parsers and the handler must not throw, and the
// handler must never answer 2xx to a body the parsers refuse.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createCallbackHandler, handleCallback, parseReceipt, parseReply } from "../src/index.js";
import { callbackExamples } from "./examples.js";

const handlerOptions = { onReceipt: () => undefined, onReply: () => undefined };
const receipts = Object.values(callbackExamples("realtime-receipts"));

/** Valid examples with one field changed to something arbitrary: near misses, not just noise. */
const nearMiss = fc
  .tuple(
    fc.constantFrom(...receipts),
    fc.constantFrom(
      "resourceType",
      "intent",
      "status",
      "code",
      "identifier",
      "authoredOn",
      "lastModified",
      "statusReason",
    ),
    fc.jsonValue(),
  )
  .map(([example, field, value]) => ({ ...(example as object), [field]: value }));

describe("robustness", () => {
  it("never throws and never accepts what the parser refuses, for arbitrary JSON", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.jsonValue(), nearMiss),
        fc.constantFrom("/FHIR/R4/Task", "/FHIR/R4/CommunicationRequest"),
        async (value, path) => {
          const text = JSON.stringify(value) ?? "null";
          const parsed = path.endsWith("Task") ? parseReceipt(text) : parseReply(text);
          const answer = await handleCallback({ method: "POST", path, body: text }, handlerOptions);
          expect([202, 400]).toContain(answer.status);
          expect(answer.status === 202).toBe(parsed.ok);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("never throws on arbitrary bytes, through the Fetch handler", async () => {
    const handler = createCallbackHandler(handlerOptions);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
        expect(() => parseReceipt(bytes)).not.toThrow();
        expect(() => parseReply(Buffer.from(bytes))).not.toThrow();
        const response = await handler.fetch(
          new Request("http://127.0.0.1/FHIR/R4/Task", { method: "POST", body: bytes }),
        );
        expect(response.status).toBe(400);
      }),
      { numRuns: 300 },
    );
  });
});
