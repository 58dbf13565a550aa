// The bundled NHS App API document from @nhs-app-api/types: the one source
// the mocks answer from and validate against, so they cannot drift from the
// types the client is built on.
import { createRequire } from "node:module";
import { operations } from "@nhs-app-api/contract";

export type OpenApiDocument = {
  paths: Record<string, Record<string, OperationObject>>;
  components: Record<string, Record<string, unknown>>;
};

export interface OperationObject {
  operationId: string;
  parameters?: unknown[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, unknown>;
}

let cached: OpenApiDocument | undefined;

export function nhsAppSpec(): OpenApiDocument {
  cached ??= createRequire(import.meta.url)("@nhs-app-api/types/openapi.json") as OpenApiDocument;
  return cached;
}

type Operations = typeof operations;
/** The NHS App API's own operations (not the callbacks a supplier hosts, nor the token endpoint). */
type NhsAppOperationId = {
  [Id in keyof Operations]: Operations[Id]["document"] extends "nhs-app" ? Id : never;
}[keyof Operations];

/** Each NHS App operation's method and path, from the spec. */
export const operationPaths = Object.fromEntries(
  Object.entries(operations)
    .filter(([, operation]) => operation.document === "nhs-app")
    .map(([id, { method, path }]) => [id, { method, path }]),
) as { readonly [Id in NhsAppOperationId]: { method: Operations[Id]["method"]; path: Operations[Id]["path"] } };

export type OperationId = keyof typeof operationPaths;

/** The operations the API platform's proxy answers itself (x-nhs-app-platform-endpoint): `_ping`, `_status`. */
export type PlatformOperationId = {
  [Id in OperationId]: Operations[Id]["platformEndpoint"] extends true ? Id : never;
}[OperationId];

/** The API's own operations: messages and reports, behind the access token. */
export type ApiOperationId = Exclude<OperationId, PlatformOperationId>;

export const isPlatformEndpoint = (operation: OperationId): operation is PlatformOperationId =>
  operations[operation].platformEndpoint;

/** The header an operation's API-key security scheme names (`apikey` for `_status`), if it has one. */
export function apiKeyHeaderOf(operation: OperationId): string | undefined {
  const schemes: readonly { type: string; in?: string; name?: string }[] = operations[operation].security;
  const scheme = schemes.find((s) => s.type === "apiKey" && s.in === "header");
  return scheme?.name?.toLowerCase();
}

const resolve = <T>(spec: OpenApiDocument, node: unknown): T => {
  const ref = (node as { $ref?: string } | undefined)?.$ref;
  if (!ref) return node as T;
  const [, section, name] = ref.split("/").slice(1);
  return resolve(spec, spec.components[section as string]?.[name as string]);
};

export interface ExampleResponse {
  status: number;
  contentType: string;
  body: unknown;
  headers: Record<string, string>;
}

/** A response of an operation as the spec's named example gives it (the first example when no name is given). */
export function exampleResponse(operation: OperationId, status: number, exampleName?: string): ExampleResponse {
  const spec = nhsAppSpec();
  const { method, path } = operationPaths[operation];
  const response = resolve<{
    content?: Record<string, { examples?: Record<string, unknown> }>;
    headers?: Record<string, unknown>;
  }>(spec, spec.paths[path]?.[method]?.responses[String(status)]);
  if (!response) throw new Error(`${operation} has no ${status} response in the spec`);
  const [contentType, media] = Object.entries(response.content ?? {})[0] ?? ["application/json", {}];
  const examples = media.examples ?? {};
  const name = exampleName ?? Object.keys(examples)[0];
  const example = name === undefined ? undefined : resolve<{ value: unknown } | undefined>(spec, examples[name]);
  if (exampleName && !example) {
    throw new Error(
      `${operation} ${status} has no example named ${exampleName} (it has ${Object.keys(examples).join(", ")})`,
    );
  }
  const headers: Record<string, string> = { "content-type": contentType };
  for (const [header, definition] of Object.entries(response.headers ?? {})) {
    const value = resolve<{ example?: unknown; schema?: { example?: unknown } }>(spec, definition);
    const sample = value?.example ?? value?.schema?.example;
    if (typeof sample === "string") headers[header.toLowerCase()] = sample;
  }
  return { status, contentType, body: structuredClone(example?.value ?? null), headers };
}

/** The names of an operation's examples for a status. */
export function exampleNames(operation: OperationId, status: number): string[] {
  const spec = nhsAppSpec();
  const { method, path } = operationPaths[operation];
  const response = resolve<{ content?: Record<string, { examples?: Record<string, unknown> }> }>(
    spec,
    spec.paths[path]?.[method]?.responses[String(status)],
  );
  return Object.keys(Object.values(response?.content ?? {})[0]?.examples ?? {});
}
