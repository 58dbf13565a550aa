// Flattens an OpenAPI document into "facts": one entry per thing the contract
// promises (an operation, a parameter and whether it is required, a schema's
// type, pattern, lengths, item counts, enum, required fields, a status code,
// a media type, a response header). Two documents are compared fact by fact.
//
// Each fact has a key, which is the same in both documents for the same
// promise, and a `where`, the JSON path where the fact really sits in its own
// document. They differ where a document nests the same thing differently:
// a path-level parameter, or a one-branch `oneOf` around a schema.
import { isObject, type JsonObject } from "./load.js";

export interface Fact {
  key: string;
  where: string;
  value: unknown;
}

export type Facts = Map<string, Fact>;

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

/** Schema keywords whose values are compared as they are. */
const SCALAR_KEYWORDS = [
  "type",
  "format",
  "pattern",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minItems",
  "maxItems",
  "uniqueItems",
  "nullable",
  "const",
] as const;

const quote = (name: string) => `[${JSON.stringify(name)}]`;

class Collector {
  readonly facts: Facts = new Map();

  add(key: string, where: string, value: unknown) {
    this.facts.set(key, { key, where, value });
  }

  schema(schema: unknown, key: string, where: string, ancestors: Set<unknown> = new Set()) {
    if (!isObject(schema)) return;
    if (ancestors.has(schema)) return; // a recursive schema: compared once
    ancestors.add(schema);
    // A single-branch oneOf/anyOf/allOf means the branch itself.
    for (const combinator of ["oneOf", "anyOf", "allOf"] as const) {
      const branches = schema[combinator];
      if (Array.isArray(branches) && branches.length === 1 && Object.keys(schema).every(isDocumentation(combinator))) {
        this.schema(branches[0], key, `${where}.${combinator}[0]`, ancestors);
        ancestors.delete(schema);
        return;
      }
    }
    this.add(key, where, "schema");
    for (const keyword of SCALAR_KEYWORDS) {
      if (schema[keyword] !== undefined) this.add(`${key}.${keyword}`, `${where}.${keyword}`, schema[keyword]);
    }
    if (Array.isArray(schema.enum)) {
      this.add(`${key}.enum`, `${where}.enum`, [...schema.enum].map((v) => JSON.stringify(v)).sort());
    }
    if (Array.isArray(schema.required)) {
      for (const name of schema.required) {
        if (typeof name === "string") this.add(`${key}.required${quote(name)}`, `${where}.required`, true);
      }
    }
    if (isObject(schema.properties)) {
      for (const [name, property] of Object.entries(schema.properties)) {
        this.schema(property, `${key}.properties.${name}`, `${where}.properties.${name}`, ancestors);
      }
    }
    if (schema.items !== undefined) this.schema(schema.items, `${key}.items`, `${where}.items`, ancestors);
    if (isObject(schema.additionalProperties)) {
      this.schema(
        schema.additionalProperties,
        `${key}.additionalProperties`,
        `${where}.additionalProperties`,
        ancestors,
      );
    } else if (typeof schema.additionalProperties === "boolean") {
      this.add(`${key}.additionalProperties`, `${where}.additionalProperties`, schema.additionalProperties);
    }
    if (schema.not !== undefined) this.schema(schema.not, `${key}.not`, `${where}.not`, ancestors);
    for (const combinator of ["oneOf", "anyOf", "allOf"] as const) {
      const branches = schema[combinator];
      if (!Array.isArray(branches)) continue;
      branches.forEach((branch, i) => {
        this.schema(branch, `${key}.${combinator}[${i}]`, `${where}.${combinator}[${i}]`, ancestors);
      });
    }
    ancestors.delete(schema);
  }

  content(content: unknown, key: string, where: string) {
    if (!isObject(content)) return;
    for (const [mediaType, media] of Object.entries(content)) {
      const k = `${key}.content${quote(mediaType)}`;
      const w = `${where}.content${quote(mediaType)}`;
      this.add(k, w, "media type");
      if (isObject(media)) this.schema(media.schema, `${k}.schema`, `${w}.schema`);
    }
  }
}

/** Keys that may sit beside a one-branch combinator without changing its meaning. */
const isDocumentation = (combinator: string) => (key: string) =>
  key === combinator || ["description", "title", "example", "examples", "default"].includes(key);

/** Parameter identity: location plus name; header names ignore case. */
const parameterId = (p: JsonObject) => {
  const location = String(p.in);
  const name = String(p.name);
  return `${location}:${location === "header" ? name.toLowerCase() : name}`;
};

export function collectFacts(document: JsonObject): Facts {
  const c = new Collector();
  const paths = isObject(document.paths) ? document.paths : {};
  for (const [pathName, pathItem] of Object.entries(paths)) {
    if (!isObject(pathItem)) continue;
    const pathKey = `paths${quote(pathName)}`;
    const shared = Array.isArray(pathItem.parameters) ? pathItem.parameters : [];
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (!isObject(operation)) continue;
      const op = `${pathKey}.${method}`;
      c.add(op, op, "operation");
      if (operation.operationId !== undefined) c.add(`${op}.operationId`, `${op}.operationId`, operation.operationId);

      // Operation-level parameters override path-level ones of the same identity.
      const parameters = new Map<string, { parameter: JsonObject; where: string }>();
      shared.forEach((p, i) => {
        if (isObject(p)) parameters.set(parameterId(p), { parameter: p, where: `${pathKey}.parameters[${i}]` });
      });
      const own = Array.isArray(operation.parameters) ? operation.parameters : [];
      own.forEach((p, i) => {
        if (isObject(p)) parameters.set(parameterId(p), { parameter: p, where: `${op}.parameters[${i}]` });
      });
      for (const [id, { parameter, where }] of parameters) {
        const k = `${op}.parameters[${id}]`;
        c.add(k, where, "parameter");
        c.add(`${k}.required`, `${where}.required`, parameter.required === true);
        c.schema(parameter.schema, `${k}.schema`, `${where}.schema`);
      }

      if (isObject(operation.requestBody)) {
        const k = `${op}.requestBody`;
        c.add(k, k, "request body");
        c.add(`${k}.required`, `${k}.required`, operation.requestBody.required === true);
        c.content(operation.requestBody.content, k, k);
      }

      const responses = isObject(operation.responses) ? operation.responses : {};
      for (const [status, response] of Object.entries(responses)) {
        const k = `${op}.responses${quote(status)}`;
        c.add(k, k, "response");
        if (!isObject(response)) continue;
        if (isObject(response.headers)) {
          for (const header of Object.keys(response.headers)) {
            c.add(`${k}.headers[${header.toLowerCase()}]`, `${k}.headers${quote(header)}`, "header");
          }
        }
        c.content(response.content, k, k);
      }
    }
  }
  return c.facts;
}
