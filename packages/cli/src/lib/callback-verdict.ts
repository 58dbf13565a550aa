// Whether an endpoint's answer is what the contract requires: 202 for a
// valid callback; a 4xx whose body is a FHIR OperationOutcome that the
// callback spec's response for that status allows (judged by
// @nhs-app-api/contract, as the callbacks package's own answers are) for an
// invalid one (or either, for a value the NHS App may start sending, such as
// a new receipt code); and for a client without an acceptable certificate,
// no answer at all (the TLS connection refused) or the callback specs' 401.
import { type ContractIssue, mediaTypeOf, responseBodyIssues } from "@nhs-app-api/contract";
import type { CallbackOperation } from "./callback-cases.js";
import type { Outcome } from "./mtls-post.js";

export type Expected = "accepted" | "refused" | "refused-or-accepted" | "tls-refused";

export const EXPECTED_WORDS: Readonly<Record<Expected, string>> = {
  accepted: "202",
  refused: "4xx OperationOutcome",
  "refused-or-accepted": "4xx OperationOutcome, or 202",
  "tls-refused": "TLS refused, or 401",
};

export interface Verdict {
  pass: boolean;
  /** What came back, in a few words (never the body). */
  answered: string;
}

const JSON_TYPES = new Set(["application/fhir+json", "application/json"]);

/** Where the first problem is (or what it is, when it is nowhere in particular): the body itself is never shown. */
function firstProblem(issues: readonly ContractIssue[]): string {
  const where = issues[0]?.expression?.[0];
  return where ? `at ${where}` : `(${issues[0]?.diagnostics ?? "unknown"})`;
}

/**
 * The first issue's code of an OperationOutcome that the operation's spec
 * allows for this status, or why the body is not one.
 */
function operationOutcome(
  operation: CallbackOperation,
  status: number,
  body: Buffer,
): { ok: true; code: string } | { ok: false; why: string } {
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch {
    return { ok: false, why: body.length === 0 ? "an empty body" : "a body that is not JSON" };
  }
  const resource = value as { resourceType?: unknown; issue?: { code?: unknown }[] };
  if (typeof value !== "object" || value === null || resource.resourceType !== "OperationOutcome")
    return { ok: false, why: "JSON that is not an OperationOutcome" };
  const issues = responseBodyIssues(operation, status, value);
  if (issues.length > 0) {
    return { ok: false, why: `an OperationOutcome the callback spec does not allow ${firstProblem(issues)}` };
  }
  return { ok: true, code: String(resource.issue?.[0]?.code) };
}

export function describe(outcome: Outcome): string {
  switch (outcome.kind) {
    case "answered":
      return String(outcome.status);
    case "closed":
      return `connection closed (${outcome.code})`;
    case "unusable":
      return `${outcome.reason} (${outcome.code})`;
    case "timeout":
      return `no answer within ${outcome.afterMs} ms`;
  }
}

/** The verdict on one answer; `operation` is the one whose spec the case was sent to. */
export function judge(expected: Expected, outcome: Outcome, operation: CallbackOperation): Verdict {
  if (expected === "tls-refused") {
    if (outcome.kind === "closed") return { pass: true, answered: `TLS refused (${outcome.code})` };
    return { pass: outcome.kind === "answered" && outcome.status === 401, answered: describe(outcome) };
  }
  if (outcome.kind !== "answered") return { pass: false, answered: describe(outcome) };
  const { status } = outcome;
  if (expected === "accepted" || (expected === "refused-or-accepted" && status === 202)) {
    return { pass: status === 202, answered: String(status) };
  }
  if (status < 400 || status > 499) return { pass: false, answered: String(status) };
  const body = operationOutcome(operation, status, outcome.body);
  if (!body.ok) return { pass: false, answered: `${status} with ${body.why}` };
  const type = mediaTypeOf(outcome.contentType);
  if (!JSON_TYPES.has(type)) {
    return { pass: false, answered: `${status} OperationOutcome sent as ${type || "no content type"}` };
  }
  return { pass: true, answered: `${status} OperationOutcome (${body.code})` };
}
