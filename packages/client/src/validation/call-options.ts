// The options every operation takes, checked before anything starts: from
// JavaScript a caller can pass null, a string for a number or an object
// that is not an AbortSignal, and each must end in the client's own
// ClientValidationError naming every problem, never a TypeError from deep
// inside the transport. `undefined` (or leaving the argument out) means the
// defaults; nothing else does.
import type { ValidationIssue } from "../errors/errors.js";

const issue = (expression: string, diagnostics: string): ValidationIssue => ({
  severity: "error",
  code: "invalid",
  diagnostics,
  expression: [expression],
});

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

// setTimeout fires at once past this many milliseconds: a longer timeout would be none at all.
export const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** Whether a value can be used as the call's AbortSignal (any realm's: what the deadline uses of it). */
const isAbortSignal = (value: unknown): value is AbortSignal =>
  isRecord(value) &&
  typeof value.aborted === "boolean" &&
  typeof value.addEventListener === "function" &&
  typeof value.removeEventListener === "function" &&
  typeof value.throwIfAborted === "function";

/** Printable ASCII with no whitespace at either end: what an HTTP header value may carry as it is. */
const HEADER_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

const nonNegative = (value: unknown) => typeof value === "number" && Number.isFinite(value) && value >= 0;

/** Every problem with a retry policy, each named `<at>.<setting>`; the client's options use it too. */
export function retryIssues(retry: unknown, at = "options.retry"): ValidationIssue[] {
  if (retry === undefined) return [];
  if (!isRecord(retry)) return [issue(at, "must be an object of retry settings")];
  const problems: ValidationIssue[] = [];
  const { maxAttempts, baseDelayMs, maxDelayMs, totalBudgetMs, allowDuplicateMessages } = retry;
  if (maxAttempts !== undefined && !(Number.isInteger(maxAttempts) && (maxAttempts as number) >= 1)) {
    problems.push(issue(`${at}.maxAttempts`, "must be a whole number of at least 1"));
  }
  for (const [name, value] of Object.entries({ baseDelayMs, maxDelayMs, totalBudgetMs })) {
    if (value !== undefined && !nonNegative(value)) {
      problems.push(issue(`${at}.${name}`, "must be a number of milliseconds, 0 or more"));
    }
  }
  if (allowDuplicateMessages !== undefined && typeof allowDuplicateMessages !== "boolean") {
    problems.push(issue(`${at}.allowDuplicateMessages`, "must be true or false"));
  }
  return problems;
}

/** Every problem with a call's options, or an empty list. */
export function callOptionsIssues(options: unknown): ValidationIssue[] {
  try {
    return optionsIssues(options);
  } catch {
    // A getter or a Proxy that throws while its settings are read.
    return [issue("options", "could not be read")];
  }
}

function optionsIssues(options: unknown): ValidationIssue[] {
  if (options === undefined) return [];
  if (!isRecord(options)) return [issue("options", "must be an object of call options, or left out")];
  const problems: ValidationIssue[] = [];
  const { correlationId, signal, timeoutMs, retry, validate } = options;
  if (correlationId !== undefined && !(typeof correlationId === "string" && HEADER_VALUE.test(correlationId))) {
    problems.push(
      issue(
        "options.correlationId",
        "must be text an HTTP header can carry: printable ASCII, not empty, no spaces at either end (a UUID is best)",
      ),
    );
  }
  if (signal !== undefined && !isAbortSignal(signal)) {
    problems.push(issue("options.signal", "must be an AbortSignal"));
  }
  if (timeoutMs !== undefined && !(typeof timeoutMs === "number" && timeoutMs > 0 && timeoutMs <= LONGEST_TIMER_MS)) {
    problems.push(issue("options.timeoutMs", `must be a number of milliseconds from 1 to ${LONGEST_TIMER_MS}`));
  }
  problems.push(...retryIssues(retry));
  if (validate !== undefined && typeof validate !== "boolean") {
    problems.push(issue("options.validate", "must be true or false"));
  }
  return problems;
}
