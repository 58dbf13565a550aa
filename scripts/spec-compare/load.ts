// Loads an OpenAPI document from a file or URL, following `$ref`s across
// files, and checks that it is OpenAPI 3. Failures become a CompareInputError
// with a one-line message, because the CLI must never print a stack trace.
import $RefParser from "@apidevtools/json-schema-ref-parser";

export class CompareInputError extends Error {
  override name = "CompareInputError";
}

export type JsonObject = { [key: string]: unknown };

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const firstLine = (text: string) => text.split("\n")[0]?.trim() ?? text;

/** Reads and fully dereferences an OpenAPI 3 document. */
export async function loadOpenApi(location: string): Promise<JsonObject> {
  let document: unknown;
  try {
    document = await new $RefParser().dereference(location, {
      dereference: { circular: "ignore" },
      resolve: { http: { timeout: 15_000 } },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/ENOENT|Error opening file|no such file/i.test(message) && !message.includes("#")) {
      throw new CompareInputError(`${location}: cannot read it (${firstLine(message)})`);
    }
    if (/Missing \$ref pointer|Token .* does not exist|Error resolving \$ref|Error opening file/i.test(message)) {
      throw new CompareInputError(`${location}: a $ref cannot be resolved (${firstLine(message)})`);
    }
    throw new CompareInputError(`${location}: cannot parse it (${firstLine(message)})`);
  }
  if (!isObject(document)) {
    throw new CompareInputError(`${location}: is not an OpenAPI document (it is not a JSON or YAML object)`);
  }
  const version = document.openapi;
  if (typeof version !== "string" || !/^3\.\d+/.test(version)) {
    const what = typeof document.swagger === "string" ? `Swagger ${document.swagger}` : "no `openapi: 3.x` field";
    throw new CompareInputError(`${location}: is not an OpenAPI 3 document (${what})`);
  }
  if (!isObject(document.paths)) {
    throw new CompareInputError(`${location}: is an OpenAPI document without paths; there is nothing to compare`);
  }
  return document;
}
