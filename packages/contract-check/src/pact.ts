// The parts of a Pact file (specification 4, as pact-js writes it) that the
// check reads, and how a request in it is matched to an operation of an
// OpenAPI document.
import { readFile } from "node:fs/promises";
import { ContractInputError, isObject, type JsonObject } from "./load.js";

export interface PactRequest {
  method: string;
  path: string;
  query?: Record<string, string[]>;
  headers?: Record<string, string | string[]>;
  body?: { content?: unknown; contentType?: string };
}

export interface PactInteraction {
  description: string;
  providerStates?: { name: string }[];
  request: PactRequest;
  response: { status: number; headers?: Record<string, string | string[]>; body?: unknown };
  [field: string]: unknown;
}

export interface PactFile {
  consumer: { name: string };
  provider: { name: string };
  interactions: PactInteraction[];
  [field: string]: unknown;
}

export async function readPact(file: string): Promise<PactFile> {
  let pact: unknown;
  try {
    pact = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new ContractInputError(`${file}: cannot read the pact (${(error as Error).message.split("\n")[0]})`);
  }
  if (!isObject(pact) || !Array.isArray(pact.interactions)) {
    throw new ContractInputError(`${file}: is not a pact (no interactions)`);
  }
  return pact as unknown as PactFile;
}

/** A header of a pact request or response, whatever its case; pact 4 keeps values as lists. */
export function headerOf(headers: PactRequest["headers"], name: string): string | undefined {
  const entry = Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
  return Array.isArray(entry) ? entry[0] : entry;
}

/** Whether a request path falls under a path template (`/a/{id}` for `/a/42`). */
export const underTemplate = (template: string, requestPath: string) =>
  new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}/?$`).test(requestPath);

/** The path template of a document that a request path falls under, if any. */
export function templateFor(document: { paths?: unknown }, requestPath: string): string | undefined {
  const paths = isObject(document.paths) ? document.paths : {};
  if (requestPath in paths) return requestPath;
  return Object.keys(paths).find((template) => underTemplate(template, requestPath));
}

/** The operation of a document for a request, literal or templated path. */
export function operationFor<O = JsonObject>(
  document: { paths?: unknown },
  method: string,
  requestPath: string,
): O | undefined {
  const template = templateFor(document, requestPath);
  const item = template ? (document.paths as Record<string, Record<string, unknown>>)[template] : undefined;
  const operation = item?.[method.toLowerCase()];
  return isObject(operation) ? (operation as O) : undefined;
}
