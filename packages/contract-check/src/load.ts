// Loads an OpenAPI document from a file or URL, following `$ref`s across
// files, and checks that it is OpenAPI 3. Failures become a ContractInputError
// with a one-line message, because the CLI must never print a stack trace.
import $RefParser from "@apidevtools/json-schema-ref-parser";

export class ContractInputError extends Error {
  override name = "ContractInputError";
}

export type JsonObject = { [key: string]: unknown };

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split("\n")[0]?.trim();

const parserOptions = {
  dereference: { circular: "ignore" as const },
  // The maintainer names the URL on the command line, so loopback and private
  // hosts are allowed (the library blocks them by default against SSRF).
  resolve: { http: { timeout: 15_000, safeUrlResolver: false } },
};

/** Reads and fully dereferences an OpenAPI 3 document. */
export async function loadOpenApi(location: string): Promise<JsonObject> {
  // First the document alone, so that "cannot read it" and "a $ref is broken" stay apart.
  let root: unknown;
  try {
    root = await new $RefParser().parse(location, parserOptions);
  } catch (error) {
    throw new ContractInputError(`${location}: cannot read it (${firstLine(error)})`);
  }
  if (!isObject(root)) {
    throw new ContractInputError(`${location}: is not an OpenAPI document (it is not a JSON or YAML object)`);
  }
  const version = root.openapi;
  if (typeof version !== "string" || !/^3\.\d+/.test(version)) {
    const what = typeof root.swagger === "string" ? `Swagger ${root.swagger}` : "no `openapi: 3.x` field";
    throw new ContractInputError(`${location}: is not an OpenAPI 3 document (${what})`);
  }
  if (!isObject(root.paths)) {
    throw new ContractInputError(`${location}: is an OpenAPI document without paths; there is nothing to compare`);
  }
  try {
    return (await new $RefParser().dereference(location, root, parserOptions)) as JsonObject;
  } catch (error) {
    throw new ContractInputError(`${location}: a $ref cannot be resolved (${firstLine(error)})`);
  }
}
