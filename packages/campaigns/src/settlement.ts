// How a send's error settles a message. The client already knows when a POST
// certainly was not processed; anything it cannot vouch for is `unknown`,
// which is never sent again.
import {
  AuthenticationError,
  ClientValidationError,
  ConnectionError,
  isNhsAppError,
  type NhsAppError,
  RateLimitError,
  TimeoutError,
} from "@nhs-app-api/client";
import type { JournalIssue, Settlement } from "./journal.js";

const reasonOf = (error: NhsAppError) =>
  `${error.kind}${error.status === undefined ? "" : ` ${error.status}`}: ${error.message}`;

const issuesOf = (error: NhsAppError): JournalIssue[] =>
  error.issues.map((issue) => ({
    code: issue.code,
    diagnostics: issue.diagnostics ?? "",
    ...(issue.expression ? { expression: [...issue.expression] } : {}),
  }));

export function settlementOf(error: unknown): Settlement {
  if (!isNhsAppError(error)) return { state: "unknown", reason: `unexpected: ${String(error)}` };
  if (error instanceof ClientValidationError)
    return { state: "refused", issues: issuesOf(error), reason: reasonOf(error) };
  // Refused by the NHS App: a 4xx other than throttling and authentication was processed and said no.
  if (error.status !== undefined && error.status >= 400 && error.status < 500) {
    if (error instanceof RateLimitError || error instanceof AuthenticationError) {
      return { state: "failed", reason: reasonOf(error) };
    }
    return { state: "refused", issues: issuesOf(error), reason: reasonOf(error) };
  }
  if (error instanceof ConnectionError && error.neverReachedServer) return { state: "failed", reason: reasonOf(error) };
  if (error instanceof TimeoutError && !error.mayHaveBeenProcessed) return { state: "failed", reason: reasonOf(error) };
  if (error.kind === "configuration") return { state: "failed", reason: reasonOf(error) };
  return { state: "unknown", reason: reasonOf(error) };
}
