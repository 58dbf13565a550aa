// Validates callback bodies as the contract says (@nhs-app-api/contract: the
// spec's compiled schema, then the rules a schema cannot state, such as the
// replying patient's NHS number check digit), and words the problems in the
// callbacks' own issue codes.
import { type ContractIssue, type OperationId, requestBodyIssues, ruleOf } from "@nhs-app-api/contract";
import { type CallbackIssue, issue } from "./issues.js";

export type CallbackOperation = Extract<OperationId, "create-realtime-receipt" | "create-realtime-replies">;

/** A problem the caller accepts on purpose (an unknown future receipt code, say), given the body it is in. */
export type Tolerated = (problem: ContractIssue, body: Record<string, unknown>) => boolean;

/** Every problem with a callback body, less those tolerated, as callback issues. */
export function contractIssues(
  operation: CallbackOperation,
  body: Record<string, unknown>,
  tolerate?: Tolerated,
): CallbackIssue[] {
  const problems = requestBodyIssues(operation, body);
  if (problems.length === 0) return []; // a valid body, the usual case, is done here
  return problems
    .filter((problem) => !tolerate?.(problem, body))
    .map((problem) => {
      const where = problem.expression?.[0];
      return issue(
        ruleOf(problem) === "required" ? "required" : "value",
        where ? `${where}: ${problem.diagnostics}` : problem.diagnostics,
        where,
      );
    });
}
