// Reading FHIR OperationOutcomes into issues a program can act on and a
// person can read, and the other error shapes the platform sends (token
// service errors, raw gateway faults) as what they are.
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

/**
 * The issues of an error body: those of an OperationOutcome, and nothing
 * else. Other shapes (a token-service error, a gateway fault, text) are read
 * by their own functions, never dressed up as issues.
 */
export function issuesFromBody(body: unknown): Issue[] {
  return isOperationOutcome(body) ? issuesOf(body) : [];
}

/**
 * A raw fault of the API gateway (Apigee): the gateway refused the request
 * before it reached the NHS App, and answered in its own shape,
 * `{"fault":{"faultstring":"...","detail":{"errorcode":"..."}}}`.
 */
export interface GatewayFault {
  /** The gateway's error code, e.g. `oauth.v2.InvalidApiKey`. */
  code: string | undefined;
  /** The gateway's own words, e.g. `Invalid ApiKey`. */
  description: string;
  /** What it means for the caller and what to check. */
  meaning: string;
}

/** The gateway's fault code for an expired access token. */
export const EXPIRED_TOKEN_FAULT = "keymanagement.service.access_token_expired";

const FAULT_MEANINGS: Readonly<Record<string, string>> = {
  "oauth.v2.InvalidApiKey":
    "the gateway does not recognise the application's API key: check the API key the client is configured with",
  "oauth.v2.InvalidApiKeyForGivenResource":
    "the application's API key is valid but not for this API: the NHS App API product must be added to the application",
  [EXPIRED_TOKEN_FAULT]: "the access token has expired; a new one is needed",
  "oauth.v2.InvalidAccessToken": "the access token is not valid for this API",
  "steps.oauth.v2.FailedToResolveAccessToken": "no access token reached the gateway",
};

export function gatewayFaultOf(body: unknown): GatewayFault | undefined {
  if (!isRecord(body) || !isRecord(body.fault) || typeof body.fault.faultstring !== "string") return undefined;
  const code = isRecord(body.fault.detail) ? body.fault.detail.errorcode : undefined;
  const known = typeof code === "string" ? FAULT_MEANINGS[code] : undefined;
  return {
    code: typeof code === "string" ? code : undefined,
    description: body.fault.faultstring,
    meaning: known ?? "the API gateway refused the request before it reached the NHS App",
  };
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
