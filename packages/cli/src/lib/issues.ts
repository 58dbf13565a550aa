// Validation issues as the CLI prints them: one per line, the element's path
// first, then what is wrong with it, worded as the contract words it.
import { redact } from "./redact.js";

/** The shape shared by the contract's, the client's and the callbacks' issues. */
export interface IssueLike {
  readonly expression?: readonly string[] | undefined;
  readonly diagnostics?: string | undefined;
  readonly code?: string | undefined;
}

/** `recipient[0].identifier.value: NHS Number is invalid`; the body itself when no element is named. */
export function issueLine(issue: IssueLike): string {
  const path = issue.expression?.join(", ") || "(body)";
  let words = issue.diagnostics ?? issue.code ?? "invalid";
  // The callbacks package already puts the path in front of its words; say it once.
  if (words.startsWith(`${path}: `)) words = words.slice(path.length + 2);
  return redact(`${path}: ${words}`);
}

/** The issues as JSON, for --json: path and words only (an issue's offending value is never printed). */
export const issueJson = (issue: IssueLike) => ({
  path: issue.expression?.join(", ") ?? null,
  diagnostics: redact(issue.diagnostics ?? issue.code ?? "invalid"),
});
