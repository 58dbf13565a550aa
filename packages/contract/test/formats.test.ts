// The format shortcuts may only ever say yes where ajv-formats' full checks
// say yes: then every verdict stays ajv-formats' own, and the shortcut only
// saves time.
import { fullFormats } from "ajv-formats/dist/formats.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formats, PLAIN_DATE_TIME, PLAIN_URI } from "../src/formats.js";

const fullUri = fullFormats.uri as unknown as (value: string) => boolean;
const fullDateTime = (fullFormats["date-time"] as unknown as { validate: (value: string) => boolean }).validate;
const uri = formats.uri as (value: string) => boolean;
const dateTime = (formats["date-time"] as { validate: (value: string) => boolean }).validate;

describe("format shortcuts", () => {
  it("accept a URI only where ajv-formats' full check does", () => {
    fc.assert(
      fc.property(fc.stringMatching(PLAIN_URI), (value) => {
        expect(fullUri(value)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it("accept a date-time only where ajv-formats' full check does, every day of every month included", () => {
    fc.assert(
      fc.property(fc.stringMatching(PLAIN_DATE_TIME), (value) => {
        expect(fullDateTime(value)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
    for (let month = 1; month <= 12; month++) {
      for (let day = 1; day <= 31; day++) {
        const value = `2023-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}T10:00:00Z`;
        expect(dateTime(value), value).toBe(fullDateTime(value));
      }
    }
  });

  it("give the full checks' verdict on anything", () => {
    const samples = fc.oneof(
      fc.string(),
      fc.webUrl(),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    );
    fc.assert(
      fc.property(samples, (value) => {
        expect(uri(value)).toBe(fullUri(value));
        expect(dateTime(value)).toBe(fullDateTime(value));
      }),
      { numRuns: 2_000 },
    );
    // What the shortcuts hand on to the full check: a leap day, a leap second, an odd URI.
    expect(dateTime("2024-02-29T10:00:00Z")).toBe(true);
    expect(dateTime("2023-02-29T10:00:00Z")).toBe(false);
    expect(uri("urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66")).toBe(true);
    expect(uri("not a uri")).toBe(false);
  });
});
