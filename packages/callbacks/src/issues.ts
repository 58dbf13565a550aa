// Problems with a callback body, in the same OperationOutcome shape the API
// uses for its own errors, so the NHS App team reads both the same way.
import type { OperationOutcome } from "@nhs-app-api/types/realtime-receipts";

export interface CallbackIssue {
  severity: "error";
  /**
   * FHIR issue types: `structure` (not JSON, not a resource), `required`,
   * `value`, `too-long` for bodies; `not-found`, `not-supported` (method or
   * content type), `security`, `exception` and `timeout` for the exchange.
   */
  code:
    | "structure"
    | "required"
    | "value"
    | "too-long"
    | "invalid"
    | "not-found"
    | "not-supported"
    | "security"
    | "exception"
    | "timeout";
  diagnostics: string;
  expression?: string[];
}

export const issue = (code: CallbackIssue["code"], diagnostics: string, expression?: string): CallbackIssue => ({
  severity: "error",
  code,
  diagnostics,
  ...(expression ? { expression: [expression] } : {}),
});

/** An OperationOutcome as the callback specs describe it (their issue codes are FHIR R4's IssueType codes). */
export const toOperationOutcome = (issues: readonly CallbackIssue[]): OperationOutcome => ({
  resourceType: "OperationOutcome",
  issue: issues.map((i) => ({ ...i })),
});

/** A refused body. */
export interface Refused {
  ok: false;
  issues: CallbackIssue[];
}

export const refused = (...issues: CallbackIssue[]): Refused => ({ ok: false, issues });
