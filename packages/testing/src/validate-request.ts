// Validates requests against the bundled spec with a JSON Schema validator,
// and reports problems as the API does: an OperationOutcome whose issues name
// the element with a FHIRPath-like expression (`recipient[0].identifier.value`).

import { isValidNhsNumber } from "@nhs-app-api/client";
import type { OperationOutcome } from "@nhs-app-api/types";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import formatsModule from "ajv-formats";
import { nhsAppSpec, type OperationId, operationPaths } from "./spec.js";

type Issue = OperationOutcome["issue"][number];

// ajv-formats is CommonJS: its default export is the module object under NodeNext.
const addFormats = ((formatsModule as unknown as { default?: typeof formatsModule }).default ??
  formatsModule) as unknown as (ajv: Ajv) => Ajv;

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function validator(pointer: string): ValidateFunction {
  if (!ajv) {
    // OpenAPI 3.0 schemas are close to JSON Schema draft 7; their extra keywords (example, ...) are ignored.
    ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    addFormats(ajv);
    ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** 31 });
    ajv.addSchema(nhsAppSpec() as object, "nhs-app");
  }
  const known = compiled.get(pointer);
  if (known) return known;
  const validate = ajv.compile({ $ref: `nhs-app#${pointer}` });
  compiled.set(pointer, validate);
  return validate;
}

const escapePointer = (segment: string) => segment.replace(/~/g, "~0").replace(/\//g, "~1");

/** `/recipient/0/identifier/value` becomes `recipient[0].identifier.value`. */
export function toExpression(instancePath: string, property?: string): string {
  const parts = instancePath.split("/").slice(1);
  if (property !== undefined) parts.push(property);
  return parts.reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), "");
}

function issueOf(error: ErrorObject, root = ""): Issue {
  const missing = error.keyword === "required" ? String(error.params.missingProperty) : undefined;
  const expression = toExpression(`${root}${error.instancePath}`, missing) || root.replace(/^\//, "");
  const diagnostics =
    error.keyword === "required"
      ? "Not specified"
      : error.keyword === "maxLength" || error.keyword === "maxItems"
        ? "Exceeds maximum length"
        : error.keyword === "minItems"
          ? "Not specified"
          : error.keyword === "pattern" || error.keyword === "format" || error.keyword === "type"
            ? "Invalid format"
            : `Invalid: ${error.message ?? error.keyword}`;
  return { severity: "error", code: "invalid", diagnostics, expression: [expression] };
}

/**
 * Problems with a message request body, or an empty list. With the request's
 * Content-Type, the body is checked against the schema of that media type,
 * and a media type the operation does not accept is itself a problem.
 */
export function requestBodyIssues(operation: OperationId, body: unknown, contentType?: string | null): Issue[] {
  const { method, path } = operationPaths[operation];
  const spec = nhsAppSpec();
  const content = spec.paths[path]?.[method]?.requestBody?.content ?? {};
  const accepted = Object.keys(content);
  const sent = contentType?.split(";")[0]?.trim().toLowerCase();
  const mediaType = sent === undefined ? accepted[0] : accepted.find((type) => type.toLowerCase() === sent);
  if (sent !== undefined && !mediaType) {
    return [
      {
        severity: "error",
        code: "invalid",
        diagnostics: `Unsupported Content-Type ${sent || "(none)"}: send ${accepted.join(" or ")}`,
      },
    ];
  }
  if (!mediaType) return [];
  const validate = validator(
    `/paths/${escapePointer(path)}/${method}/requestBody/content/${escapePointer(mediaType)}/schema`,
  );
  const issues = validate(body) ? [] : (validate.errors ?? []).filter((e) => e.keyword !== "if").map((e) => issueOf(e));
  // The server's own rule beyond the schema's pattern: the Modulus 11 check digit.
  const nhsNumber = (body as { recipient?: { identifier?: { value?: unknown } }[] })?.recipient?.[0]?.identifier?.value;
  const expression = "recipient[0].identifier.value";
  if (
    typeof nhsNumber === "string" &&
    !isValidNhsNumber(nhsNumber) &&
    !issues.some((i) => i.expression?.[0] === expression)
  ) {
    issues.push({ severity: "error", code: "invalid", diagnostics: "NHS Number is invalid", expression: [expression] });
  }
  return dedupe(issues);
}

/** Problems with a report's query, or an empty list: each parameter checked against its schema. */
export function queryIssues(operation: OperationId, query: URLSearchParams): Issue[] {
  const { method, path } = operationPaths[operation];
  const spec = nhsAppSpec();
  const parameters = (spec.paths[path]?.[method]?.parameters ?? []) as { $ref?: string }[];
  const issues: Issue[] = [];
  for (const [index, reference] of parameters.entries()) {
    const pointer = reference.$ref
      ? reference.$ref.slice(1)
      : `/paths/${escapePointer(path)}/${method}/parameters/${index}`;
    const parameter = pointer
      .split("/")
      .slice(1)
      .reduce<unknown>(
        (node, key) => (node as Record<string, unknown>)?.[key.replace(/~1/g, "/").replace(/~0/g, "~")],
        spec,
      ) as {
      name: string;
      in: string;
      required?: boolean;
      schema?: { type?: string };
    };
    if (parameter.in !== "query") continue;
    const values = query.getAll(parameter.name);
    if (values.length === 0) {
      if (parameter.required)
        issues.push({ severity: "error", code: "invalid", diagnostics: "Not specified", expression: [parameter.name] });
      continue;
    }
    if (values.length > 1) {
      issues.push({
        severity: "error",
        code: "invalid",
        diagnostics: "A single value is expected",
        expression: [parameter.name],
      });
      continue;
    }
    const raw = values[0] as string;
    const value = parameter.schema?.type === "integer" && /^-?\d+$/.test(raw) ? Number(raw) : raw;
    const validate = validator(`${pointer}/schema`);
    if (!validate(value)) {
      issues.push({ severity: "error", code: "invalid", diagnostics: "Invalid format", expression: [parameter.name] });
    }
  }
  return issues;
}

function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.diagnostics}@${issue.expression?.join(",")}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export const operationOutcome = (issues: Issue[]): OperationOutcome => ({
  resourceType: "OperationOutcome",
  issue: issues as OperationOutcome["issue"],
});

/** Problems with a response body against the spec's schema for that status, or an empty list. */
export function responseBodyIssues(operation: OperationId, status: number, body: unknown): string[] {
  const { method, path } = operationPaths[operation];
  const spec = nhsAppSpec();
  let response = spec.paths[path]?.[method]?.responses[String(status)] as
    | { $ref?: string; content?: Record<string, unknown> }
    | undefined;
  if (!response) return [`${operation} has no ${status} response in the spec`];
  let pointer = `/paths/${escapePointer(path)}/${method}/responses/${status}`;
  if (response.$ref) {
    pointer = response.$ref.slice(1);
    response = spec.components.responses?.[pointer.split("/").pop() as string] as typeof response;
  }
  const mediaType = Object.keys(response?.content ?? {})[0];
  if (!mediaType) return [];
  const validate = validator(`${pointer}/content/${escapePointer(mediaType)}/schema`);
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? e.keyword}`);
}
