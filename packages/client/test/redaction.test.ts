// NHS numbers are masked wherever they appear in text the client writes; UUIDs
// (correlation and communication IDs) and the correlation ID a caller chose
// are never changed, because support needs them exactly as they were.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BadRequestError } from "../src/index.js";
import { redactText } from "../src/redaction.js";

const NHS_NUMBER = "9434765919";

describe("masking", () => {
  it("never changes a UUID, alone or among other text (100,000 random UUIDs)", () => {
    fc.assert(
      fc.property(fc.uuid(), fc.constantFrom("", " ", "/", "=", "ID ", "id-", "urn:uuid:"), (uuid, before) => {
        const text = `correlation ${before}${uuid} failed at ${uuid.toUpperCase()}`;
        expect(redactText(text)).toBe(text);
      }),
      { numRuns: 100_000 },
    );
  });

  it("still masks an NHS number written beside a UUID, in every usual form", () => {
    fc.assert(
      fc.property(fc.uuid(), fc.constantFrom(NHS_NUMBER, "943 476 5919", "943-476-5919"), (uuid, nhsNumber) => {
        const masked = redactText(`${uuid} for ${nhsNumber}; ${uuid}`);
        expect(masked).toBe(`${uuid} for *******919; ${uuid}`);
      }),
      { numRuns: 2_000 },
    );
  });

  it("masks a bearer token even when it looks like a UUID", () => {
    fc.assert(
      fc.property(fc.uuid(), (token) => {
        expect(redactText(`Authorization: Bearer ${token}`)).toBe("Authorization: Bearer [redacted]");
      }),
      { numRuns: 1_000 },
    );
  });

  it("leaves an error's correlation ID and communication ID whole, and masks the NHS number in its message", () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), (correlationId, communicationId) => {
        const error = new BadRequestError(`communication ${communicationId} for ${NHS_NUMBER} was refused`, {
          correlationId,
        });
        expect(error.message).toBe(
          `communication ${communicationId} for *******919 was refused | correlation ID ${correlationId}`,
        );
      }),
      { numRuns: 10_000 },
    );
    const chosen = new BadRequestError("refused", { correlationId: "order-1234567890" });
    expect(chosen.message).toBe("refused | correlation ID order-1234567890");
    expect(chosen.forCall("x").correlationId).toBe("order-1234567890");
  });
});
