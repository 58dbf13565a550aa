// Argument parsers for commander: a bad value becomes commander's own
// one-line "argument 'abc' is invalid" usage error, before any command runs.
import { InvalidArgumentError } from "commander";

function wholeNumber(value: string, min: number, max: number, what: string): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new InvalidArgumentError(`${what} must be a whole number from ${min} to ${max}.`);
  }
  return Number(value);
}

/** A TCP port; 0 asks the system for a free one. */
export const port = (value: string) => wholeNumber(value, 0, 65535, "A port");

/** A count of at least 1 (pages, say). */
export const positiveInteger = (value: string) => wholeNumber(value, 1, 1_000_000, "It");

/** A duration in milliseconds, at least 1 ms and at most 10 minutes. */
export const milliseconds = (value: string) => wholeNumber(value, 1, 600_000, "A time in milliseconds");

/** A delay in milliseconds, 0 (at once) to 10 minutes. */
export const delay = (value: string) => wholeNumber(value, 0, 600_000, "A time in milliseconds");

/** A duration in seconds, at least 1 s and at most a day. */
export const seconds = (value: string) => wholeNumber(value, 1, 86_400, "A time in seconds");

/** A value that must be more than white space (a key, a keyword). */
function filled(what: string) {
  return (value: string) => {
    if (value.trim() === "") throw new InvalidArgumentError(`${what} must not be empty.`);
    return value;
  };
}

/** The platform's status key, which `_status` wants. */
export const statusKey = filled("A status key");

/** A reply keyword (the code of an answer option). */
export const keyword = filled("A keyword");

/** A repeatable option's values, in the order given. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** A certificate's lifetime in days: at least a day, at most about ten years. */
export const days = (value: string) => wholeNumber(value, 1, 3650, "A number of days");

/** A rate in requests a second: more than 0 (0.5 is one every two seconds), at most 1000. */
export function perSecond(value: string): number {
  const rate = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(rate > 0) || rate > 1000) {
    throw new InvalidArgumentError("A rate must be a number of requests a second, more than 0 and at most 1000.");
  }
  return rate;
}

/** Sends in flight at once. */
export const concurrency = (value: string) => wholeNumber(value, 1, 64, "Concurrency");
