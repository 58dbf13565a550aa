// Validates callback bodies against our callback specs (OpenAPI 3.1, so JSON
// Schema 2020-12), the same documents the generated types come from.
import { createRequire } from "node:module";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import formatsModule from "ajv-formats";
import { type CallbackIssue, issue } from "./issues.js";

const addFormats = ((formatsModule as unknown as { default?: typeof formatsModule }).default ??
  formatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

type Document = "realtime-receipts" | "realtime-replies";
const schemaNames: Record<Document, string> = {
  "realtime-receipts": "RealtimeReceipt",
  "realtime-replies": "RealtimeReply",
};
const validators = new Map<Document, ValidateFunction>();

export type { ErrorObject };

function validatorFor(document: Document): ValidateFunction {
  const known = validators.get(document);
  if (known) return known;
  const spec = createRequire(import.meta.url)(`@nhs-app-api/types/openapi/${document}.json`) as object;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema(spec, document);
  const validate = ajv.compile({ $ref: `${document}#/components/schemas/${schemaNames[document]}` });
  validators.set(document, validate);
  return validate;
}

/** `/contained/0/item/0` becomes `contained[0].item[0]`. */
const expressionOf = (path: string, property?: string) =>
  [...path.split("/").slice(1), ...(property ? [property] : [])].reduce(
    (out, part) => (/^\d+$/.test(part) ? `${out}[${part}]` : out ? `${out}.${part}` : part),
    "",
  );

function toIssue(error: ErrorObject): CallbackIssue {
  if (error.keyword === "required") {
    const expression = expressionOf(error.instancePath, String(error.params.missingProperty));
    return issue("required", `${expression} is required`, expression);
  }
  const expression = expressionOf(error.instancePath) || "(body)";
  if (error.keyword === "maxItems" || error.keyword === "minItems") {
    return issue("value", `${expression} ${error.message ?? "has the wrong number of items"}`, expression);
  }
  return issue("value", `${expression} ${error.message ?? `fails ${error.keyword}`}`, expression);
}

/**
 * Schema problems of a body. `tolerate` drops errors a caller accepts on
 * purpose (an unknown future receipt code, say); oneOf summaries are left out
 * because each branch's own errors say more.
 */
export function schemaIssues(
  document: Document,
  body: unknown,
  tolerate: (error: ErrorObject) => boolean = () => false,
) {
  const validate = validatorFor(document);
  if (validate(body)) return [];
  const errors = (validate.errors ?? []).filter((e) => !tolerate(e));
  const seen = new Set<string>();
  return errors
    .filter((e) => e.keyword !== "oneOf" && e.keyword !== "if")
    .map(toIssue)
    .filter((i) => {
      const key = `${i.code}:${i.diagnostics}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
