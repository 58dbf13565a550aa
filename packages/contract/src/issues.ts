// Problems with a request or callback body, reported as the NHS App API
// reports them: OperationOutcome issues whose `expression` names the element
// (`recipient[0].identifier.value`) and whose `diagnostics` use the server's
// words where they are known. A schema error takes its words from the spec
// (the `x-issues` of the node that raised it), else from the server's general
// wording for that kind of error below.
import type { ErrorObject } from "./compiled.js";

export interface ContractIssue {
  severity: "error";
  code: "invalid";
  diagnostics: string;
  /** FHIRPath-like expressions of the elements at fault; absent when the whole body is at fault. */
  expression?: string[];
}

type Wording = { diagnostics: string; expression?: string };

/** What a compiled validator knows of its schema: the order of its properties and the spec's wording. */
export interface ValidatorPlace {
  order: readonly string[];
  /** The spec's x-issues by the schema path, from the validator's root, of the node they word. */
  wording: Readonly<Record<string, Readonly<Record<string, Wording>>>>;
}

/**
 * An issue, with the offending value and the rule (a JSON Schema keyword or
 * a rule's name) kept off its enumerable fields: an OperationOutcome built
 * from it carries neither, and a logged issue never prints an NHS number.
 */
export function contractIssue(expression: string, diagnostics: string, rule: string, value?: unknown): ContractIssue {
  const issue: ContractIssue = {
    severity: "error",
    code: "invalid",
    diagnostics,
    ...(expression ? { expression: [expression] } : {}),
  };
  Object.defineProperty(issue, "rule", { value: rule, enumerable: false });
  if (value !== undefined) Object.defineProperty(issue, "value", { value, enumerable: false });
  return issue;
}

/** The rule an issue came from: a JSON Schema keyword (`maxLength`) or a rule of the rules module. */
export const ruleOf = (issue: ContractIssue): string | undefined => (issue as { rule?: string }).rule;

/** The value the issue is about, for a caller who asks; never part of a message. */
export const offendingValue = (issue: ContractIssue): unknown => (issue as { value?: unknown }).value;

/** The server's general wording for each kind of schema error. */
function defaultDiagnostics(error: ErrorObject): string {
  switch (error.keyword) {
    case "required":
    case "minItems":
    case "minLength":
      return "Not specified";
    case "maxItems":
    case "maxLength":
      return "Exceeds maximum length";
    case "type":
    case "pattern":
    case "format":
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
    case "discriminator":
      return "Invalid format";
    case "enum": {
      const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
      return Array.isArray(allowed) ? `Invalid value: expected ${allowed.join(" or ")}` : "Invalid value";
    }
    default:
      return "Invalid value";
  }
}

/** `/recipient/0/identifier/value` becomes `recipient[0].identifier.value`. */
export function toExpression(instancePath: string, property?: string): string {
  const parts = instancePath === "" ? [] : instancePath.split("/").slice(1);
  if (property !== undefined) parts.push(property);
  return parts.reduce(
    (path, part) =>
      /^\d+$/.test(part)
        ? `${path}[${part}]`
        : `${path ? `${path}.` : ""}${part.replace(/~1/g, "/").replace(/~0/g, "~")}`,
    "",
  );
}

const escapeSegment = (segment: string) => segment.replace(/~/g, "~0").replace(/\//g, "~1");

/**
 * The words the spec gives a schema error, if any. Each validator's schema
 * is compiled with its references resolved, so an error's schemaPath runs
 * from the root to the keyword, and the node above the keyword is the one
 * whose x-issues word it; a missing property is worded by its own schema.
 */
function wordingFor(error: ErrorObject, place: ValidatorPlace): Wording | undefined {
  const path = error.schemaPath.replace(/^#/, "");
  const node = path.slice(0, path.lastIndexOf("/"));
  if (error.keyword === "required") {
    const missing = String((error.params as { missingProperty?: unknown }).missingProperty);
    return place.wording[`${node}/properties/${escapeSegment(missing)}`]?.required;
  }
  return place.wording[node]?.[error.keyword];
}

const valueAt = (root: unknown, instancePath: string): unknown =>
  instancePath
    .split("/")
    .slice(1)
    .reduce<unknown>(
      (node, key) =>
        typeof node === "object" && node !== null
          ? (node as Record<string, unknown>)[key.replace(/~1/g, "/").replace(/~0/g, "~")]
          : undefined,
      root,
    );

/**
 * Drops the noise of combinators: under a oneOf or anyOf that has its own
 * wording, the branches' errors; without wording, the combinator's summary
 * and the branches that failed only because the value has another type.
 */
function withoutCombinatorNoise(errors: readonly ErrorObject[], place: ValidatorPlace): ErrorObject[] {
  let kept = [...errors];
  for (const combinator of errors.filter((e) => e.keyword === "oneOf" || e.keyword === "anyOf")) {
    const branchPrefix = `${combinator.schemaPath}/`;
    const branches = kept.filter((e) => e.schemaPath.startsWith(branchPrefix));
    if (branches.length === 0) continue; // several branches matched: the summary is the problem
    if (wordingFor(combinator, place)) {
      kept = kept.filter((e) => !branches.includes(e));
      continue;
    }
    const relevant = branches.filter((e) => !(e.keyword === "type" && e.instancePath === combinator.instancePath));
    kept = kept.filter((e) => e !== combinator && (!branches.includes(e) || relevant.includes(e)));
    if (relevant.length === 0) kept.push(combinator);
  }
  // A missing discriminator tag is already reported as a missing property.
  return kept.filter(
    (e) =>
      !(
        e.keyword === "discriminator" &&
        (e.params as { error?: string }).error === "tag" &&
        kept.some((other) => other.keyword === "required" && other.instancePath === e.instancePath)
      ),
  );
}

/**
 * A value of the wrong type fails its type, and often keywords that only
 * pass for the right type (a `not: {pattern}` passes nothing but strings):
 * only the type is worth reporting.
 */
function withoutTypeNoise(errors: readonly ErrorObject[]): ErrorObject[] {
  const mistyped = new Set(errors.filter((e) => e.keyword === "type").map((e) => e.instancePath));
  return errors.filter((e) => e.keyword === "type" || e.keyword === "required" || !mistyped.has(e.instancePath));
}

/** A value as the server quotes it in a message: text as it is, anything else as JSON, never long. */
function quoted(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The issues of a failed schema validation, in the server's words. */
export function schemaIssues(errors: readonly ErrorObject[], place: ValidatorPlace, body: unknown): ContractIssue[] {
  return withoutTypeNoise(withoutCombinatorNoise(errors, place)).map((error) => {
    const wording = wordingFor(error, place);
    const missing =
      error.keyword === "required"
        ? String((error.params as { missingProperty?: unknown }).missingProperty)
        : undefined;
    const value = missing === undefined ? valueAt(body, error.instancePath) : undefined;
    // An empty expression in the spec's wording means the server names no element.
    const expression = wording?.expression ?? toExpression(error.instancePath, missing);
    const diagnostics = wording?.diagnostics.replaceAll("{value}", quoted(value)) ?? defaultDiagnostics(error);
    return contractIssue(expression, diagnostics, error.keyword, value);
  });
}

/** The top-level element an expression starts with: `recipient` of `recipient[0].identifier.value`. */
const topOf = (expression: string) => /^[^.[]*/.exec(expression)?.[0] ?? "";
const depthOf = (expression: string) => (expression.match(/[.[]/g) ?? []).length;

/**
 * One list, in the order the server reports problems: element by element in
 * the order the spec lists them, an element before its parts, each problem
 * once.
 */
export function inServerOrder(issues: readonly ContractIssue[], order: readonly string[]): ContractIssue[] {
  const seen = new Set<string>();
  const unique = issues.filter((issue) => {
    const key = `${issue.expression?.join(",") ?? ""}\u0000${issue.diagnostics}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const rank = (issue: ContractIssue) => {
    const expression = issue.expression?.[0] ?? "";
    const position = order.indexOf(topOf(expression));
    return { position: expression === "" ? -1 : position === -1 ? order.length : position, depth: depthOf(expression) };
  };
  return unique
    .map((issue, index) => ({ issue, index, ...rank(issue) }))
    .sort((a, b) => a.position - b.position || a.depth - b.depth || a.index - b.index)
    .map(({ issue }) => issue);
}
