// Checks an answer Prism gave against the spec it mocks: the response schema
// of that operation, status and media type. Prism answers from the spec's
// examples without checking them, so a schema that changed under its
// examples (a receipt code removed from the enum, a string turned into a
// number, a field renamed) would still be served; this makes such an answer
// a failure of the verification. A test tool: it compiles schemas as it goes.
import { Ajv } from "ajv";
import formatsModule from "ajv-formats";
import { operationFor } from "../../packages/contract-check/src/pact.ts";

// ajv-formats is CommonJS: its default export is the module object under NodeNext.
const addFormats = ((formatsModule as unknown as { default?: typeof formatsModule }).default ??
  formatsModule) as unknown as (ajv: Ajv) => Ajv;

type Json = Record<string, unknown>;
interface Operation {
  responses?: Record<string, { $ref?: string; content?: Record<string, unknown> }>;
}

const pointerSegment = (segment: string) => segment.replace(/~/g, "~0").replace(/\//g, "~1");

export function responseChecker(spec: Json) {
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, discriminator: true });
  addFormats(ajv);
  ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
  ajv.addSchema(spec, "spec");
  const paths = spec as { paths?: Record<string, Record<string, Operation>> };

  /** Problems of one answer, as sentences; an empty list when it keeps the contract or has no JSON body to check. */
  return (method: string, requestPath: string, status: number, contentType: string | null, text: string): string[] => {
    const operation = operationFor<Operation>(paths, method, requestPath.split("?")[0] ?? requestPath);
    if (!operation) return [];
    let response = operation.responses?.[String(status)] ?? operation.responses?.default;
    let pointer = "";
    if (response?.$ref) {
      pointer = response.$ref;
      response = (spec.components as Json | undefined)?.responses
        ? ((spec.components as Record<string, Record<string, typeof response>>).responses?.[
            response.$ref.split("/").pop() as string
          ] as typeof response)
        : undefined;
    } else {
      const template = Object.keys(paths.paths ?? {}).find(
        (t) => paths.paths?.[t]?.[method.toLowerCase()] === operation,
      );
      pointer = `#/paths/${pointerSegment(template ?? "")}/${method.toLowerCase()}/responses/${status}`;
    }
    const mediaType = contentType?.split(";")[0]?.trim().toLowerCase();
    const content = response?.content ?? {};
    const declared = Object.keys(content).find((type) => type.toLowerCase() === mediaType) ?? Object.keys(content)[0];
    if (!declared || !/json/i.test(declared) || text.trim() === "") return [];
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return [`${method} ${requestPath} ${status}: the body is not JSON`];
    }
    const validate = ajv.getSchema(`spec${pointer}/content/${pointerSegment(declared)}/schema`);
    if (!validate) return [];
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (error) =>
        `${method} ${requestPath} ${status}: ${error.instancePath || "(body)"} ${error.message ?? error.keyword}`,
    );
  };
}
