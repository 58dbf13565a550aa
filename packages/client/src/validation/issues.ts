// Collects validation problems in the server's own terms: each issue names
// the element with the expression the server would use
// (`recipient[0].identifier.value`) and, where the server's wording is
// known, uses it ("NHS Number is invalid", "Exceeds maximum length").
import type { ValidationIssue } from "../errors/errors.js";

export class IssueList {
  readonly issues: ValidationIssue[] = [];

  add(expression: string, diagnostics: string, value?: unknown) {
    const issue = { severity: "error", code: "invalid", diagnostics, expression: [expression] } as ValidationIssue;
    // The offending value (perhaps an NHS number) is there for a caller who asks for it, never printed.
    if (value !== undefined) Object.defineProperty(issue, "value", { value, enumerable: false });
    this.issues.push(issue);
  }
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The server refuses any text that contains an HTML tag (its rule: must not match `<(.|\n)*?>`). */
export const HTML_TAG = /<(.|\n)*?>/;
