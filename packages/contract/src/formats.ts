// The string formats the spec uses, as the compiled validators check them at
// run time (the generated code imports this module; the generator registers
// the same objects, so compiled code and run time agree on their shape).
// A date is a real calendar date, the contract's rule (rules.ts); ajv-formats
// supplies RFC 3339 date-times and RFC 3986 URIs; int32 is the range of a
// 32-bit integer.
import { fullFormats } from "ajv-formats/dist/formats.js";
import { isCalendarDate } from "./rules.js";

type StringCheck = { validate: (value: string) => boolean };
type Format = ((value: string) => boolean) | StringCheck | { type: "number"; validate: (value: number) => boolean };

const fullUri = fullFormats.uri as unknown as (value: string) => boolean;
const fullDateTime = fullFormats["date-time"] as unknown as StringCheck;

// Every callback and request carries a few identifier systems and instants, and ajv-formats' own
// checks of them (a very long URI regex; a split and two regexes per date-time) cost most of a
// valid body's validation. Each shortcut below matches only strings the full check accepts, so a
// string it misses still goes to the full check and every verdict is ajv-formats' own.

/** scheme://host/path of RFC 3986 unreserved characters: a reg-name host and path segments, always a URI. */
export const PLAIN_URI = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[A-Za-z0-9._~/-]*$/;

/**
 * A date-time ajv-formats accepts: a day every month has (a 29th, 30th or 31st only in the months
 * that have one; 29 February goes to the full check), hours 00-23, seconds below 60 (a leap second
 * goes to the full check) and a zone of at most 23:59.
 */
export const PLAIN_DATE_TIME =
  /^\d{4}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)[Tt](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:[Zz]|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)$/;

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
export const formats: Readonly<Record<"date" | "date-time" | "uri" | "int32", Format>> = {
  date: { validate: isCalendarDate },
  "date-time": {
    ...fullDateTime,
    validate: (value: string) => PLAIN_DATE_TIME.test(value) || fullDateTime.validate(value),
  },
  uri: (value: string) => PLAIN_URI.test(value) || fullUri(value),
  int32: {
    type: "number",
    validate: (value: number) => Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX,
  },
};
