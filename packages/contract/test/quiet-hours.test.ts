// The NHS App sends no push notification from 22:00 to 06:00 UK time
// (Europe/London, BST included): one requested then is sent at 06:00. The
// hours come from x-nhs-app-quiet-hours in spec/nhs-app.yaml; these pin the
// edges, the two clock changes and a window that does not cross midnight.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { isQuietHours, pushQuietHours, QUIET_HOURS_RULE, type QuietHours, quietHoursEnd } from "../src/index.js";

const at = (iso: string) => Date.parse(iso);
const iso = (time: number) => new Date(time).toISOString();
const sentAt = (when: string, hours?: QuietHours) => iso(quietHoursEnd(at(when), hours));

describe("pushQuietHours", () => {
  it("is the spec's x-nhs-app-quiet-hours", async () => {
    const spec = YAML.parse(await readFile(new URL("../../../spec/nhs-app.yaml", import.meta.url), "utf8"));
    expect(pushQuietHours).toEqual(spec["x-nhs-app-quiet-hours"]);
    expect(pushQuietHours).toEqual({ timeZone: "Europe/London", start: "22:00", end: "06:00" });
  });

  it("is stated in words, from the spec's hours", () => {
    expect(QUIET_HOURS_RULE).toBe(
      "push notifications are not sent from 22:00 to 06:00 Europe/London time; one requested then is sent at 06:00",
    );
  });
});

describe("isQuietHours", () => {
  it("starts at 22:00 London time inclusive and ends at 06:00 exclusive, in winter (GMT)", () => {
    expect(isQuietHours(at("2026-01-15T21:59:59.999Z"))).toBe(false);
    expect(isQuietHours(at("2026-01-15T22:00:00.000Z"))).toBe(true);
    expect(isQuietHours(at("2026-01-16T00:00:00.000Z"))).toBe(true);
    expect(isQuietHours(at("2026-01-16T05:59:59.999Z"))).toBe(true);
    expect(isQuietHours(at("2026-01-16T06:00:00.000Z"))).toBe(false);
    expect(isQuietHours(new Date("2026-01-16T12:00:00Z"))).toBe(false);
  });

  it("goes by London's clock in summer (BST), not UTC's", () => {
    // 21:00Z is 22:00 BST; 05:00Z is 06:00 BST.
    expect(isQuietHours(at("2026-07-01T20:59:59.999Z"))).toBe(false);
    expect(isQuietHours(at("2026-07-01T21:00:00.000Z"))).toBe(true);
    expect(isQuietHours(at("2026-07-01T21:30:00Z"))).toBe(true);
    expect(isQuietHours(at("2026-07-02T04:59:59.999Z"))).toBe(true);
    expect(isQuietHours(at("2026-07-02T05:00:00.000Z"))).toBe(false);
    // 05:30Z would be quiet by UTC's clock; in London it is 06:30.
    expect(isQuietHours(at("2026-07-02T05:30:00Z"))).toBe(false);
  });

  it("is the same rule for any way of writing the moment", () => {
    expect(isQuietHours(new Date("2026-07-01T22:00:00+01:00"))).toBe(true);
    expect(isQuietHours(new Date("2026-07-01T16:59:59.999-04:00"))).toBe(false);
  });
});

describe("quietHoursEnd", () => {
  it("is the moment itself outside quiet hours", () => {
    expect(sentAt("2026-01-15T21:59:59.999Z")).toBe("2026-01-15T21:59:59.999Z");
    expect(sentAt("2026-01-16T06:00:00.000Z")).toBe("2026-01-16T06:00:00.000Z");
    expect(sentAt("2026-07-02T05:00:00.000Z")).toBe("2026-07-02T05:00:00.000Z");
  });

  it("is the next 06:00 from 22:00 on, the same day's just before it", () => {
    expect(sentAt("2026-01-15T22:00:00.000Z")).toBe("2026-01-16T06:00:00.000Z");
    expect(sentAt("2026-01-15T23:59:59.999Z")).toBe("2026-01-16T06:00:00.000Z");
    expect(sentAt("2026-01-16T00:00:00.000Z")).toBe("2026-01-16T06:00:00.000Z");
    expect(sentAt("2026-01-16T05:59:59.000Z")).toBe("2026-01-16T06:00:00.000Z");
    expect(sentAt("2026-01-16T05:59:59.999Z")).toBe("2026-01-16T06:00:00.000Z");
  });

  it("is 06:00 BST in summer: midnight UTC is 01:00 in London", () => {
    expect(isQuietHours(at("2026-07-01T00:00:00Z"))).toBe(true);
    expect(sentAt("2026-07-01T00:00:00Z")).toBe("2026-07-01T05:00:00.000Z");
    expect(sentAt("2026-07-01T21:30:00Z")).toBe("2026-07-02T05:00:00.000Z");
    expect(sentAt("2026-07-01T23:59:59.999Z")).toBe("2026-07-02T05:00:00.000Z");
  });

  it("across a year's turn and the end of a month", () => {
    expect(sentAt("2026-12-31T23:00:00Z")).toBe("2027-01-01T06:00:00.000Z");
    expect(sentAt("2026-02-28T22:00:00Z")).toBe("2026-03-01T06:00:00.000Z");
  });

  // The last Sundays of March (01:00 GMT becomes 02:00 BST) and October (02:00 BST becomes 01:00 GMT).
  const changes = [
    { year: 2025, spring: "2025-03-30", autumn: "2025-10-26" },
    { year: 2026, spring: "2026-03-29", autumn: "2026-10-25" },
    { year: 2027, spring: "2027-03-28", autumn: "2027-10-31" },
  ];
  const dayBefore = (day: string) => iso(at(`${day}T12:00:00Z`) - 86_400_000).slice(0, 10);

  for (const { year, spring, autumn } of changes) {
    it(`the night the clocks go forward in ${year}: from 22:00 GMT to 06:00 BST`, () => {
      const eve = dayBefore(spring);
      expect(isQuietHours(at(`${eve}T21:59:59.999Z`))).toBe(false);
      expect(sentAt(`${eve}T22:00:00Z`)).toBe(`${spring}T05:00:00.000Z`);
      expect(sentAt(`${eve}T23:30:00Z`)).toBe(`${spring}T05:00:00.000Z`);
      expect(sentAt(`${spring}T00:59:59.999Z`)).toBe(`${spring}T05:00:00.000Z`); // 00:59 GMT
      expect(sentAt(`${spring}T01:00:00Z`)).toBe(`${spring}T05:00:00.000Z`); // 02:00 BST
      expect(sentAt(`${spring}T04:59:59Z`)).toBe(`${spring}T05:00:00.000Z`); // 05:59:59 BST
      expect(isQuietHours(at(`${spring}T05:00:00Z`))).toBe(false);
      expect(isQuietHours(at(`${spring}T21:00:00Z`))).toBe(true); // 22:00 BST
    });

    it(`the night the clocks go back in ${year}: from 22:00 BST to 06:00 GMT`, () => {
      const eve = dayBefore(autumn);
      expect(isQuietHours(at(`${eve}T20:59:59.999Z`))).toBe(false);
      expect(sentAt(`${eve}T21:00:00Z`)).toBe(`${autumn}T06:00:00.000Z`); // 22:00 BST
      expect(sentAt(`${eve}T22:30:00Z`)).toBe(`${autumn}T06:00:00.000Z`); // 23:30 BST
      // 01:30 happens twice: BST, then GMT.
      expect(sentAt(`${autumn}T00:30:00Z`)).toBe(`${autumn}T06:00:00.000Z`);
      expect(sentAt(`${autumn}T01:30:00Z`)).toBe(`${autumn}T06:00:00.000Z`);
      expect(sentAt(`${autumn}T05:59:59.999Z`)).toBe(`${autumn}T06:00:00.000Z`);
      expect(isQuietHours(at(`${autumn}T05:00:00Z`))).toBe(true); // 05:00 GMT, no longer 06:00 BST
      expect(isQuietHours(at(`${autumn}T06:00:00Z`))).toBe(false);
      expect(isQuietHours(at(`${autumn}T21:59:59.999Z`))).toBe(false);
      expect(isQuietHours(at(`${autumn}T22:00:00Z`))).toBe(true); // 22:00 GMT
    });
  }

  it("is the first moment after which nothing waits, minute by minute around both clock changes", () => {
    const windows: QuietHours[] = [
      pushQuietHours,
      { timeZone: "Europe/London", start: "00:00", end: "01:30" },
      { timeZone: "America/New_York", start: "01:00", end: "02:30" },
    ];
    const nights = ["2026-03-28T12:00:00Z", "2026-10-24T12:00:00Z", "2026-03-07T12:00:00Z", "2026-10-31T12:00:00Z"];
    for (const hours of windows) {
      for (const night of nights) {
        for (let minute = 0; minute < 36 * 60; minute += 7) {
          const time = at(night) + minute * 60_000 + 123;
          const sent = quietHoursEnd(time, hours);
          const label = `${hours.timeZone} ${hours.start}-${hours.end} at ${iso(time)}`;
          if (!isQuietHours(time, hours)) {
            expect(sent, label).toBe(time);
            continue;
          }
          expect(sent, label).toBeGreaterThan(time);
          expect(isQuietHours(sent, hours), label).toBe(false);
          expect(isQuietHours(sent - 1, hours), label).toBe(true);
          for (let wait = time; wait < sent; wait += 5 * 60_000) expect(isQuietHours(wait, hours), label).toBe(true);
        }
      }
    }
  });
});

describe("custom quiet hours", () => {
  const night: QuietHours = { timeZone: "Europe/London", start: "01:00", end: "05:00" };

  it("a window that does not cross midnight: 01:00 to 05:00", () => {
    expect(isQuietHours(at("2026-01-15T00:59:59.999Z"), night)).toBe(false);
    expect(isQuietHours(at("2026-01-15T01:00:00Z"), night)).toBe(true);
    expect(isQuietHours(at("2026-01-15T04:59:59.999Z"), night)).toBe(true);
    expect(isQuietHours(at("2026-01-15T05:00:00Z"), night)).toBe(false);
    expect(isQuietHours(at("2026-01-15T23:00:00Z"), night)).toBe(false);
    expect(sentAt("2026-01-15T03:00:00Z", night)).toBe("2026-01-15T05:00:00.000Z");
    expect(sentAt("2026-01-15T23:00:00Z", night)).toBe("2026-01-15T23:00:00.000Z");
    // Summer: 01:00-05:00 BST is 00:00-04:00Z.
    expect(isQuietHours(at("2026-07-01T00:00:00Z"), night)).toBe(true);
    expect(sentAt("2026-07-01T00:00:00Z", night)).toBe("2026-07-01T04:00:00.000Z");
  });

  it("another zone's clock changes: New York goes forward on 8 March 2026", () => {
    const newYork: QuietHours = { timeZone: "America/New_York", start: "22:00", end: "06:00" };
    // 22:30 EST on 7 March, sent 06:00 EDT on 8 March.
    expect(sentAt("2026-03-08T03:30:00Z", newYork)).toBe("2026-03-08T10:00:00.000Z");
    // 01:30 EST: quiet in New York, but 06:30 in London.
    expect(sentAt("2026-03-08T06:30:00Z", newYork)).toBe("2026-03-08T10:00:00.000Z");
    expect(isQuietHours(at("2026-03-08T06:30:00Z"))).toBe(false);
  });

  it("an end the clocks skip is the moment they jump past it", () => {
    // 01:30 does not exist in London on 29 March 2026: at 01:00 GMT the clocks show 02:00 BST.
    const early: QuietHours = { timeZone: "Europe/London", start: "00:00", end: "01:30" };
    expect(sentAt("2026-03-29T00:30:00Z", early)).toBe("2026-03-29T01:00:00.000Z");
    expect(isQuietHours(at("2026-03-29T00:59:59.999Z"), early)).toBe(true);
    expect(isQuietHours(at("2026-03-29T01:00:00Z"), early)).toBe(false);
  });

  it("an end the clocks show twice is its first showing from the request", () => {
    // 01:30 happens twice in London on 25 October 2026: 00:30Z (BST), then 01:30Z (GMT).
    const early: QuietHours = { timeZone: "Europe/London", start: "00:00", end: "01:30" };
    expect(sentAt("2026-10-24T23:30:00Z", early)).toBe("2026-10-25T00:30:00.000Z");
    // 01:45 BST is outside the window; 01:10 GMT, an hour later, is inside it again.
    expect(sentAt("2026-10-25T00:45:00Z", early)).toBe("2026-10-25T00:45:00.000Z");
    expect(sentAt("2026-10-25T01:10:00Z", early)).toBe("2026-10-25T01:30:00.000Z");
  });
});

describe("refusals", () => {
  it("an invalid time is a RangeError", () => {
    expect(() => isQuietHours(Number.NaN)).toThrow(RangeError);
    expect(() => isQuietHours(new Date("not a time"))).toThrow(RangeError);
    expect(() => quietHoursEnd(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => quietHoursEnd(new Date("not a time"))).toThrow(RangeError);
  });

  it("quiet hours that are no clock times, or no zone, are a RangeError", () => {
    const now = at("2026-01-15T12:00:00Z");
    for (const hours of [
      { timeZone: "Mars/Olympus_Mons", start: "22:00", end: "06:00" },
      { timeZone: "Europe/London", start: "24:00", end: "06:00" },
      { timeZone: "Europe/London", start: "22:00", end: "6:00" },
      { timeZone: "Europe/London", start: "22:00", end: "06:60" },
      { timeZone: "Europe/London", start: "22:00", end: "22:00" },
    ]) {
      expect(() => isQuietHours(now, hours), JSON.stringify(hours)).toThrow(RangeError);
      expect(() => quietHoursEnd(now, hours), JSON.stringify(hours)).toThrow(RangeError);
    }
  });
});
