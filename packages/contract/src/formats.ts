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

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
export const formats: Readonly<Record<"date" | "date-time" | "uri" | "int32", Format>> = {
  date: { validate: isCalendarDate },
  "date-time": fullFormats["date-time"] as unknown as StringCheck,
  uri: fullFormats.uri as unknown as (value: string) => boolean,
  int32: {
    type: "number",
    validate: (value: number) => Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX,
  },
};
