// x-nhs-app-quiet-hours reaches the contract as `pushQuietHours` only in the
// shape isQuietHours can use: a malformed one stops `pnpm generate` with an
// error that names the extension and what is wrong, never a constant that
// would fail later at run time.
import { beforeAll, describe, expect, it } from "vitest";
import { bundleDocuments, type OpenApiObject } from "./bundle.ts";
import { documents } from "./documents.ts";
import { generateContract } from "./generate-contract.ts";

let bundles: Map<string, OpenApiObject>;

beforeAll(async () => {
  bundles = await bundleDocuments(documents);
});

/** The contract generated with the nhs-app document's x-nhs-app-quiet-hours replaced (undefined: removed). */
function generateWith(quietHours: unknown) {
  const nhsApp = structuredClone(bundles.get("nhs-app") as OpenApiObject);
  if (quietHours === undefined) delete nhsApp["x-nhs-app-quiet-hours"];
  else nhsApp["x-nhs-app-quiet-hours"] = quietHours;
  return generateContract(new Map([...bundles, ["nhs-app", nhsApp]]));
}

describe("x-nhs-app-quiet-hours", () => {
  it("becomes pushQuietHours", () => {
    expect(generateContract(bundles).constants).toContain(
      'export const pushQuietHours = {\n  "timeZone": "Europe/London",\n  "start": "22:00",\n  "end": "06:00"\n} as const;',
    );
    expect(generateWith({ timeZone: "America/New_York", start: "01:00", end: "05:00" }).constants).toContain(
      '"timeZone": "America/New_York",\n  "start": "01:00",\n  "end": "05:00"',
    );
  });

  const prefix = "generate-contract: nhs-app#/x-nhs-app-quiet-hours (x-nhs-app-quiet-hours) ";
  const refused: [string, unknown, string][] = [
    ["a list", ["22:00", "06:00"], "must be an object with timeZone, start and end"],
    [
      "an extra key",
      { timeZone: "Europe/London", start: "22:00", end: "06:00", days: "all" },
      "has keys it should not: days",
    ],
    ["no time zone", { start: "22:00", end: "06:00" }, "timeZone must be an IANA time zone name"],
    [
      "a zone Intl does not know",
      { timeZone: "Europe/Londinium", start: "22:00", end: "06:00" },
      'timeZone "Europe/Londinium" is no time zone this JavaScript knows',
    ],
    [
      "an unquoted time a YAML 1.1 parser read as minutes",
      { timeZone: "Europe/London", start: 1320, end: "06:00" },
      'start must be a quoted local time "HH:MM" from "00:00" to "23:59", not 1320',
    ],
    [
      "no end",
      { timeZone: "Europe/London", start: "22:00" },
      'end must be a quoted local time "HH:MM" from "00:00" to "23:59", not undefined',
    ],
    [
      "24:00",
      { timeZone: "Europe/London", start: "22:00", end: "24:00" },
      'end must be a quoted local time "HH:MM" from "00:00" to "23:59", not "24:00"',
    ],
    [
      "a single-digit hour",
      { timeZone: "Europe/London", start: "22:00", end: "6:00" },
      'end must be a quoted local time "HH:MM" from "00:00" to "23:59", not "6:00"',
    ],
    [
      "seconds",
      { timeZone: "Europe/London", start: "22:00:00", end: "06:00" },
      'start must be a quoted local time "HH:MM" from "00:00" to "23:59", not "22:00:00"',
    ],
    [
      "start and end the same",
      { timeZone: "Europe/London", start: "22:00", end: "22:00" },
      'start and end are both "22:00": the hours would be empty',
    ],
  ];
  for (const [what, value, message] of refused) {
    it(`is refused with ${what}`, () => {
      expect(() => generateWith(value)).toThrow(prefix + message);
    });
  }

  it("is required: without it generation names the constant and the place", () => {
    expect(() => generateWith(undefined)).toThrow(
      'generate-contract: spec/ has nothing at nhs-app#/x-nhs-app-quiet-hours for "pushQuietHours".',
    );
  });
});
