// Reading FHIR OperationOutcomes, and the other error shapes the platform
// sends (token-service errors, raw gateway faults, empty or HTML bodies), into
// one list of issues a program can act on and a person can read.
import type { OperationOutcome } from "@nhs-app-api/types";
import { redactText } from "../redaction.js";

/** One problem, as the server (or the client's own validation) reports it. */
export interface Issue {
  severity: "fatal" | "error" | "warning" | "information";
  /** The FHIR issue type: `invalid`, `forbidden`, `expired`, `security`, `not-found`, `throttled`, `unknown`, ... */
  code: string;
  diagnostics?: string;
  /** FHIRPath expressions of the elements at fault, e.g. `recipient[0].identifier.value`. */
  expression?: string[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export function isOperationOutcome(body: unknown): body is OperationOutcome {
  return isRecord(body) && body.resourceType === "OperationOutcome" && Array.isArray(body.issue);
}

/** The issues of an OperationOutcome, keeping only well-formed fields. */
export function issuesOf(outcome: OperationOutcome): Issue[] {
  return outcome.issue.map((raw) => {
    const issue: Issue = {
      severity: (["fatal", "error", "warning", "information"] as const).includes(raw.severity) ? raw.severity : "error",
      code: typeof raw.code === "string" ? raw.code : "unknown",
    };
    if (typeof raw.diagnostics === "string") issue.diagnostics = raw.diagnostics;
    if (Array.isArray(raw.expression)) issue.expression = raw.expression.filter((e) => typeof e === "string");
    return issue;
  });
}

/** The token service's `{error, error_description, message_id}` body. */
export interface OAuthErrorBody {
  error: string;
  error_description?: string;
  message_id?: string;
}

export function isOAuthError(body: unknown): body is OAuthErrorBody {
  return isRecord(body) && typeof body.error === "string";
}

/** Turns any error body into issues: OperationOutcome, OAuth error, Apigee fault, or plain text. */
export function issuesFromBody(body: unknown): Issue[] {
  if (isOperationOutcome(body)) return issuesOf(body);
  if (isOAuthError(body)) {
    return [
      {
        severity: "error",
        code: body.error,
        ...(body.error_description ? { diagnostics: body.error_description } : {}),
      },
    ];
  }
  if (isRecord(body) && isRecord(body.fault) && typeof body.fault.faultstring === "string") {
    const detail = isRecord(body.fault.detail) ? body.fault.detail.errorcode : undefined;
    return [
      { severity: "error", code: typeof detail === "string" ? detail : "fault", diagnostics: body.fault.faultstring },
    ];
  }
  return [];
}

/** A short human description of some issues: "invalid: NHS Number is invalid (at recipient[0].identifier.value)". */
export function describeIssues(issues: readonly Issue[]): string {
  return issues
    .map((issue) => {
      const where = issue.expression?.length ? ` (at ${issue.expression.join(", ")})` : "";
      return redactText(`${issue.code}: ${issue.diagnostics ?? "no details"}${where}`);
    })
    .join("; ");
}
