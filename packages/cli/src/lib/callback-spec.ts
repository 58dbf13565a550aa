// The callback specs as published in @nhs-app-api/types' bundles: each
// operation's request examples (with their `$ref`s resolved) and the
// top-level fields its body schema requires. The CLI sends these to a
// supplier's endpoint; it invents no body of its own but broken copies.
import { createRequire } from "node:module";
import { operations } from "@nhs-app-api/contract";

export type CallbackOperation = "create-realtime-receipt" | "create-realtime-replies";

export interface CallbackExample {
  name: string;
  body: Record<string, unknown>;
}

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

// The bundles ship in @nhs-app-api/types, a dependency of @nhs-app-api/callbacks: they are
// looked up from there, as that package finds them, so the CLI needs no dependency of its own.
const fromCallbacks = () => createRequire(createRequire(import.meta.url).resolve("@nhs-app-api/callbacks"));

const bundles = new Map<string, Json>();
function bundleOf(operation: CallbackOperation): Json {
  const document = operations[operation].document;
  let bundle = bundles.get(document);
  if (!bundle) {
    bundle = fromCallbacks()(`@nhs-app-api/types/openapi/${document}.json`) as Json;
    bundles.set(document, bundle);
  }
  return bundle;
}

/** Follows local `$ref`s (`#/components/examples/x`), chains included. */
function resolve(bundle: Json, node: unknown, depth = 0): unknown {
  if (!isRecord(node) || typeof node.$ref !== "string" || depth > 16) return node;
  if (!node.$ref.startsWith("#/")) throw new Error(`cannot resolve ${node.$ref}: only local references are`);
  let target: unknown = bundle;
  for (const part of node.$ref.slice(2).split("/")) {
    const key = part.replaceAll("~1", "/").replaceAll("~0", "~");
    target = isRecord(target) ? target[key] : undefined;
  }
  return resolve(bundle, target, depth + 1);
}

/** The operation's request body (its first media type) in the bundle, found by operationId. */
function requestContent(operation: CallbackOperation): { bundle: Json; content: Json } {
  const bundle = bundleOf(operation);
  const paths = isRecord(bundle.paths) ? bundle.paths : {};
  for (const item of Object.values(paths)) {
    for (const candidate of Object.values(isRecord(item) ? item : {})) {
      if (!isRecord(candidate) || candidate.operationId !== operation) continue;
      const body = resolve(bundle, candidate.requestBody);
      const content = isRecord(body) && isRecord(body.content) ? Object.values(body.content)[0] : undefined;
      if (isRecord(content)) return { bundle, content };
    }
  }
  throw new Error(`the ${operations[operation].document} spec has no request body for ${operation}`);
}

/** Every request example of the operation, named as the spec names them. */
export function callbackExamples(operation: CallbackOperation): CallbackExample[] {
  const { bundle, content } = requestContent(operation);
  const examples = isRecord(content.examples) ? content.examples : {};
  return Object.entries(examples).flatMap(([name, example]) => {
    const resolved = resolve(bundle, example);
    const value = isRecord(resolved) ? resolve(bundle, resolved.value) : undefined;
    return isRecord(value) ? [{ name, body: value }] : [];
  });
}

/** The top-level fields the operation's body schema requires. */
export function requiredFields(operation: CallbackOperation): string[] {
  const { bundle, content } = requestContent(operation);
  const schema = resolve(bundle, content.schema);
  return isRecord(schema) && Array.isArray(schema.required)
    ? schema.required.filter((field): field is string => typeof field === "string")
    : [];
}
