// The platform builds each day's receipts report in a daily batch: a day's
// report is complete from 00:00 UTC of the next day, whatever the caller's
// time zone, and never for a day to come or a string that is no date.
import { describe, expect, it } from "vitest";
import { isReceiptReportComplete, RECEIPT_REPORT_RULE, utcDayOf } from "../src/index.js";

const at = (iso: string) => Date.parse(iso);

describe("a day's receipts report", () => {
  it("is complete from 00:00 UTC of the next day, not a millisecond before", () => {
    expect(isReceiptReportComplete("2026-03-01", at("2026-03-01T23:59:59.999Z"))).toBe(false);
    expect(isReceiptReportComplete("2026-03-01", at("2026-03-02T00:00:00.000Z"))).toBe(true);
    expect(isReceiptReportComplete("2026-03-01", new Date("2026-03-02T00:00:00.000Z"))).toBe(true);
    expect(isReceiptReportComplete("2026-03-01", at("2030-01-01T00:00:00Z"))).toBe(true);
  });

  it("goes by UTC: just after midnight in a zone ahead of UTC is still the day before there", () => {
    // 00:30 on 2 March in UTC+01:00 is 23:30 on 1 March UTC: the report of 1 March is still being built.
    expect(isReceiptReportComplete("2026-03-01", at("2026-03-02T00:30:00+01:00"))).toBe(false);
    expect(isReceiptReportComplete("2026-03-01", at("2026-03-02T00:30:00-01:00"))).toBe(true);
  });

  it("is not complete on its own day, nor for a day to come", () => {
    expect(isReceiptReportComplete("2026-03-02", at("2026-03-02T00:00:00Z"))).toBe(false);
    expect(isReceiptReportComplete("2026-03-02", at("2026-03-02T23:59:59.999Z"))).toBe(false);
    expect(isReceiptReportComplete("2026-03-03", at("2026-03-02T12:00:00Z"))).toBe(false);
    expect(isReceiptReportComplete("9999-12-31", at("2026-03-02T12:00:00Z"))).toBe(false);
  });

  it("rolls over the end of a month, of February in a leap year, and of a year", () => {
    expect(isReceiptReportComplete("2024-02-28", at("2024-02-29T00:00:00Z"))).toBe(true);
    expect(isReceiptReportComplete("2024-02-29", at("2024-02-29T23:59:59.999Z"))).toBe(false);
    expect(isReceiptReportComplete("2024-02-29", at("2024-03-01T00:00:00Z"))).toBe(true);
    expect(isReceiptReportComplete("2026-12-31", at("2026-12-31T23:59:59.999Z"))).toBe(false);
    expect(isReceiptReportComplete("2026-12-31", at("2027-01-01T00:00:00Z"))).toBe(true);
  });

  it("reads years 0-99 as themselves, not as 1900-1999", () => {
    const year6 = new Date(0);
    year6.setUTCFullYear(6, 6, 7); // 0006-07-07T00:00:00Z
    expect(isReceiptReportComplete("0006-07-06", year6)).toBe(true);
    expect(isReceiptReportComplete("0006-07-06", year6.getTime() - 1)).toBe(false);
    expect(isReceiptReportComplete("1906-07-06", year6)).toBe(false);
  });

  it("is never complete for a string that is no calendar date, nor at an invalid time", () => {
    for (const day of ["2026-02-30", "2026-13-01", "2026-3-1", "01/03/2026", "2026-03-01T00:00:00Z", "yesterday", ""]) {
      expect(isReceiptReportComplete(day, at("2030-01-01T00:00:00Z")), day).toBe(false);
    }
    expect(isReceiptReportComplete("2026-03-01", Number.NaN)).toBe(false);
    expect(isReceiptReportComplete("2026-03-01", new Date("not a time"))).toBe(false);
  });

  it("is stated in words for those who show it", () => {
    expect(RECEIPT_REPORT_RULE).toBe("a day's receipts report is complete from the next day (UTC)");
  });
});

describe("utcDayOf", () => {
  it("gives the UTC calendar date of a moment, across midnight UTC", () => {
    expect(utcDayOf(at("2026-03-01T23:59:59.999Z"))).toBe("2026-03-01");
    expect(utcDayOf(at("2026-03-02T00:00:00.000Z"))).toBe("2026-03-02");
    expect(utcDayOf(new Date("2026-03-02T00:30:00+01:00"))).toBe("2026-03-01");
  });

  it("refuses an invalid time", () => {
    expect(() => utcDayOf(Number.NaN)).toThrow(RangeError);
  });

  it("agrees with the rule: a day's report is complete exactly when today is a later day", () => {
    const days = ["2026-02-28", "2026-03-01", "2026-03-02"];
    for (let hour = 0; hour < 72; hour += 1) {
      const now = at("2026-02-28T00:00:00Z") + hour * 3_600_000 - 1;
      for (const day of days) expect(isReceiptReportComplete(day, now), `${day} at ${now}`).toBe(day < utcDayOf(now));
    }
  });
});
