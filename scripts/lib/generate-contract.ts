// Generates @nhs-app-api/contract's source from the bundled spec: the
// contract's constants (operations, environments, identifier systems, limits,
// patterns, enums and the server's wording for schema errors) and compiled
// JSON Schema validators for every request body, query, callback body and
// response. The validators are Ajv "standalone" code: compiled here,
// once, so that nothing compiles a schema, or evaluates code, at run time.
import { _, Ajv, type AnySchemaObject, type Options } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import standaloneModule from "ajv/dist/standalone/index.js";
import { formats } from "../../packages/contract/src/formats.ts";
import type { OpenApiObject } from "./bundle.ts";
import {
  enumSources,
  environmentSources,
  limitSources,
  markdownSource,
  patternSources,
  quietHoursSource,
  recognisedSystemsSource,
  type Source,
  systemSources,
  tokenRequestSources,
} from "./contract-sources.ts";

// ajv/dist/standalone is CommonJS with `exports.default`.
type StandaloneCode = (ajv: Ajv | Ajv2020, refs: Record<string, string>) => string;
const standaloneCode = ((standaloneModule as unknown as { default?: StandaloneCode }).default ??
  standaloneModule) as unknown as StandaloneCode;

type Json = unknown;
type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"] as const;
/** Which Ajv dialect compiles each document: OpenAPI 3.0 schemas are draft-07-like, 3.1 is 2020-12. */
const DOCUMENTS = [
  { alias: "nhs-app", prefix: "nhsApp", dialect: "draft-07" },
  { alias: "realtime-receipts", prefix: "receipts", dialect: "2020-12" },
  { alias: "realtime-replies", prefix: "replies", dialect: "2020-12" },
  { alias: "oauth-token", prefix: "token", dialect: "draft-07" },
] as const;

export const escapePointer = (segment: string) => segment.replace(/~/g, "~0").replace(/\//g, "~1");
const unescapePointer = (segment: string) => segment.replace(/~1/g, "/").replace(/~0/g, "~");

function at(document: Json, pointer: string): Json {
  let node = document;
  for (const segment of pointer.replace(/^#\/?/, "").split("/").filter(Boolean)) {
    if (!isObject(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[unescapePointer(segment)];
  }
  return node;
}

class SpecReader {
  constructor(readonly bundles: ReadonlyMap<string, OpenApiObject>) {}

  document(alias: string): OpenApiObject {
    const bundle = this.bundles.get(alias);
    if (!bundle) throw new Error(`generate-contract: no bundle named ${alias}`);
    return bundle;
  }

  /** The value at a source; a missing one stops generation, naming what moved. */
  read(name: string, source: Source): Json {
    const [alias, pointer] = source.split("#") as [string, string];
    const value = at(this.document(alias), pointer);
    if (value === undefined) {
      throw new Error(
        `generate-contract: spec/ has nothing at ${source} for "${name}". If the schema moved, update scripts/lib/contract-sources.ts.`,
      );
    }
    return value;
  }

  /** The single value of a one-value enum. */
  only(name: string, source: Source): string {
    const values = this.read(name, source);
    if (!Array.isArray(values) || values.length !== 1 || typeof values[0] !== "string") {
      throw new Error(`generate-contract: ${source} ("${name}") must be an enum of exactly one string`);
    }
    return values[0];
  }

  number(name: string, source: Source): number {
    const value = this.read(name, source);
    if (typeof value !== "number") throw new Error(`generate-contract: ${source} ("${name}") is not a number`);
    return value;
  }

  string(name: string, source: Source): string {
    const value = this.read(name, source);
    if (typeof value !== "string") throw new Error(`generate-contract: ${source} ("${name}") is not a string`);
    return value;
  }

  strings(name: string, source: Source): string[] {
    const value = this.read(name, source);
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
      throw new Error(`generate-contract: ${source} ("${name}") is not a list of strings`);
    }
    return value;
  }

  /** Follows `$ref`s (local ones, as in a bundle) to the node they name, with its pointer. */
  resolve(alias: string, pointer: string): { pointer: string; node: Json } {
    let current = pointer;
    for (let hops = 0; hops < 20; hops++) {
      const node = at(this.document(alias), current);
      const ref = isObject(node) ? node.$ref : undefined;
      if (typeof ref !== "string") return { pointer: current, node };
      current = ref;
    }
    throw new Error(`generate-contract: $ref loop at ${alias}${pointer}`);
  }
}

interface OperationFacts {
  document: string;
  method: string;
  path: string;
  requestMediaTypes: string[];
  parameters: { name: string; in: string; required: boolean; type: string }[];
  responses: string[];
  /** The credentials it takes: its security schemes (the document's when it names none); empty for none. */
  security: SecurityFacts[];
  /** Answered by the API platform's proxy itself (x-nhs-app-platform-endpoint): `_ping`, `_status`. */
  platformEndpoint: boolean;
}

/** A security scheme as the contract needs it: its type, and where an API key goes. */
interface SecurityFacts {
  type: string;
  scheme?: string;
  in?: string;
  name?: string;
}

interface ValidatorFacts {
  document: string;
  /** Where the validated schema sits in its bundle: root-relative schema paths hang from here. */
  root: string;
  /** The root's properties in the spec's order: issues are reported in this order. */
  order: string[];
  /** The spec's x-issues, by the schema path (from the root) of the node they word. */
  wording: Record<string, JsonObject>;
}

/** Each operation's validators, by the name of their export (their facts are in `compiledValidators`). */
interface OperationValidators {
  body?: Record<string, string>;
  query?: string;
  responses?: Record<string, Record<string, string>>;
}

function operationsOf(reader: SpecReader, alias: string) {
  const document = reader.document(alias);
  const found: { id: string; path: string; method: string; operation: JsonObject }[] = [];
  for (const [path, item] of Object.entries(isObject(document.paths) ? document.paths : {})) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const operation = item[method];
      if (!isObject(operation) || typeof operation.operationId !== "string") continue;
      found.push({ id: operation.operationId, path, method, operation });
    }
  }
  return found;
}

/**
 * The security schemes an operation takes (the first alternative the spec
 * lists, which is all this API ever has), the document's when it names none.
 */
function securityOf(reader: SpecReader, alias: string, operation: JsonObject): SecurityFacts[] {
  const document = reader.document(alias);
  const requirements = Array.isArray(operation.security)
    ? operation.security
    : Array.isArray(document.security)
      ? document.security
      : [];
  const first = requirements[0];
  if (!isObject(first)) return [];
  return Object.keys(first).map((name) => {
    const scheme = reader.resolve(alias, `#/components/securitySchemes/${escapePointer(name)}`).node;
    if (!isObject(scheme) || typeof scheme.type !== "string") {
      throw new Error(`generate-contract: ${alias} names a security scheme ${name} it does not define`);
    }
    return {
      type: scheme.type,
      ...(typeof scheme.scheme === "string" ? { scheme: scheme.scheme } : {}),
      ...(typeof scheme.in === "string" ? { in: scheme.in } : {}),
      ...(typeof scheme.name === "string" ? { name: scheme.name } : {}),
    };
  });
}

function parametersOf(reader: SpecReader, alias: string, pointer: string, operation: JsonObject) {
  const list = Array.isArray(operation.parameters) ? operation.parameters : [];
  return list.map((_parameter, index) => {
    const resolved = reader.resolve(alias, `${pointer}/parameters/${index}`);
    const parameter = resolved.node as { name: string; in: string; required?: boolean };
    const schema = reader.resolve(alias, `${resolved.pointer}/schema`).node;
    const type = isObject(schema) && typeof schema.type === "string" ? schema.type : "string";
    return {
      pointer: resolved.pointer,
      name: parameter.name,
      in: parameter.in,
      required: parameter.required === true,
      type,
    };
  });
}

/** The schema to compile for a media type, following its $ref to a named schema when there is one. */
function contentSchemas(reader: SpecReader, alias: string, pointer: string, content: unknown) {
  return Object.keys(isObject(content) ? content : {}).map((mediaType) => ({
    mediaType,
    ...reader.resolve(alias, `${pointer}/${escapePointer(mediaType)}/schema`),
  }));
}

function propertyOrder(reader: SpecReader, alias: string, node: Json): string[] {
  if (!isObject(node)) return [];
  const properties = isObject(node.properties) ? Object.keys(node.properties) : [];
  // A discriminated union lists its properties in its branches.
  const branches = Array.isArray(node.oneOf) ? node.oneOf : [];
  const fromBranches = branches.flatMap((branch) =>
    propertyOrder(
      reader,
      alias,
      isObject(branch) && typeof branch.$ref === "string" ? reader.resolve(alias, branch.$ref).node : branch,
    ),
  );
  return [...new Set([...properties, ...fromBranches])];
}

/** Keys that document a schema without constraining it: left out of the compiled code, which embeds schemas. */
const DOCUMENTATION = new Set(["description", "title", "summary", "example", "examples", "externalDocs"]);

/**
 * A validator's schema as Ajv compiles it: every `$ref` replaced by what it
 * names, so that each error's schemaPath runs from the validator's root;
 * documentation and x- extensions left out (they would only make the code
 * larger); discriminator mappings removed (Ajv reads each branch's enum).
 * The `x-issues` met on the way are returned by their path from the root,
 * which is where the errors they word will point.
 */
function compilableSchema(reader: SpecReader, alias: string, root: Json) {
  const wording: Record<string, JsonObject> = {};
  const copy = (node: Json, path: string, refs: readonly string[], parentKey: string): Json => {
    if (Array.isArray(node)) return node.map((child, i) => copy(child, `${path}/${i}`, refs, ""));
    if (!isObject(node)) return node;
    if (typeof node.$ref === "string") {
      if (refs.includes(node.$ref)) throw new Error(`generate-contract: ${alias}${node.$ref} refers to itself`);
      // OpenAPI 3.0 ignores what stands beside a $ref; a limit or x-issues put there would silently vanish.
      const beside = Object.keys(node).filter((key) => key !== "$ref" && !DOCUMENTATION.has(key));
      if (beside.length > 0) {
        throw new Error(
          `generate-contract: ${alias} has ${beside.join(", ")} beside $ref ${node.$ref} at ${path || "/"}; move it into the schema it refers to`,
        );
      }
      return copy(reader.resolve(alias, node.$ref).node, path, [...refs, node.$ref], parentKey);
    }
    // Under `properties`, keys are property names, whatever they are called.
    const isSchema = parentKey !== "properties";
    if (isSchema && isObject(node["x-issues"])) wording[path] = node["x-issues"];
    const out: JsonObject = {};
    for (const [key, child] of Object.entries(node)) {
      if (isSchema && (DOCUMENTATION.has(key) || key.startsWith("x-"))) continue;
      out[key] = copy(child, `${path}/${escapePointer(key)}`, refs, key);
    }
    if (isSchema && isObject(out.discriminator)) out.discriminator = { propertyName: out.discriminator.propertyName };
    return out;
  };
  return { schema: copy(root, "", [], "") as AnySchemaObject, wording };
}

/**
 * x-nhs-app-markdown, checked for its shape: `features`, a list of distinct
 * names, and `entities`, `decoded` or `literal`. What each name means is the
 * renderer's business (@nhs-app-api/testing's patient view), whose types
 * refuse a name it does not know.
 */
function markdownOf(reader: SpecReader) {
  const value = reader.read("contentStringMarkdown", markdownSource);
  const problem = (what: string) => new Error(`generate-contract: ${markdownSource} (x-nhs-app-markdown) ${what}`);
  if (!isObject(value)) throw problem("must be an object with features and entities");
  const unknown = Object.keys(value).filter((key) => key !== "features" && key !== "entities");
  if (unknown.length > 0) throw problem(`has keys it should not: ${unknown.join(", ")}`);
  const { features, entities } = value;
  if (!Array.isArray(features) || !features.every((f) => typeof f === "string" && /^[a-z][a-z0-9-]*$/.test(f))) {
    throw problem("features must be a list of lower-case names (bold, heading-2, ...)");
  }
  if (new Set(features).size !== features.length) throw problem("features names a feature twice");
  if (entities !== "decoded" && entities !== "literal") throw problem('entities must be "decoded" or "literal"');
  return { features, entities };
}

const CLOCK_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/**
 * x-nhs-app-quiet-hours, checked for its shape: `timeZone`, an IANA zone
 * that Intl.DateTimeFormat knows (so isQuietHours can use it), and `start`
 * and `end`, distinct "HH:MM" local times; nothing else.
 */
function quietHoursOf(reader: SpecReader) {
  const value = reader.read("pushQuietHours", quietHoursSource);
  const problem = (what: string) => new Error(`generate-contract: ${quietHoursSource} (x-nhs-app-quiet-hours) ${what}`);
  if (!isObject(value)) throw problem("must be an object with timeZone, start and end");
  const unknown = Object.keys(value).filter((key) => key !== "timeZone" && key !== "start" && key !== "end");
  if (unknown.length > 0) throw problem(`has keys it should not: ${unknown.join(", ")}`);
  const { timeZone, start, end } = value;
  if (typeof timeZone !== "string" || timeZone === "") {
    throw problem("timeZone must be an IANA time zone name (Europe/London)");
  }
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone });
  } catch {
    throw problem(`timeZone ${JSON.stringify(timeZone)} is no time zone this JavaScript knows`);
  }
  for (const [name, time] of [
    ["start", start],
    ["end", end],
  ] as const) {
    // Quoted in YAML: an unquoted 22:00 may be read as a number (sexagesimal) by a YAML 1.1 parser.
    if (typeof time !== "string" || !CLOCK_TIME.test(time)) {
      throw problem(`${name} must be a quoted local time "HH:MM" from "00:00" to "23:59", not ${JSON.stringify(time)}`);
    }
  }
  if (start === end) throw problem(`start and end are both ${JSON.stringify(start)}: the hours would be empty`);
  return { timeZone, start: start as string, end: end as string };
}

function newAjv(dialect: "draft-07" | "2020-12") {
  const options: Options = {
    strict: false,
    allErrors: true,
    discriminator: true,
    validateSchema: false,
    // Lengths in UTF-16 units, as the .NET server counts them: never looser than the server.
    unicode: false,
    code: { source: true, esm: true, formats: _`formats` },
    logger: {
      log: () => undefined,
      warn: (...args: unknown[]) => {
        if (!String(args[0]).includes("option unicode")) console.warn(...args);
      },
      error: (...args: unknown[]) => console.error(...args),
    },
  };
  const ajv = dialect === "2020-12" ? new Ajv2020(options) : new Ajv(options);
  for (const [name, format] of Object.entries(formats)) ajv.addFormat(name, format as never);
  return ajv;
}

export interface GeneratedContract {
  constants: string;
  /** The validators module of each document, by alias. */
  validators: Map<string, string>;
  /** The module that gathers them. */
  index: string;
}

export function generateContract(bundles: ReadonlyMap<string, OpenApiObject>): GeneratedContract {
  const reader = new SpecReader(bundles);
  const operations: Record<string, OperationFacts> = {};
  const validators: Record<string, OperationValidators> = {};
  const compiled: Record<string, ValidatorFacts> = {};
  const modules = new Map<string, string>();

  for (const { alias, prefix, dialect } of DOCUMENTS) {
    const ajv = newAjv(dialect);
    const roots = new Map<string, string>(); // where the schema sits -> the export that validates it
    /** The validator of the schema at `pointer`, compiled once however many operations use it. */
    const facts = (pointer: string, node: Json): string => {
      const known = roots.get(pointer);
      if (known) return known;
      const fn = `${prefix}${roots.size}`;
      const { schema, wording } = compilableSchema(reader, alias, node);
      roots.set(pointer, fn);
      ajv.addSchema(schema, fn);
      compiled[fn] = { document: alias, root: pointer, order: propertyOrder(reader, alias, node), wording };
      return fn;
    };

    for (const { id, path, method, operation } of operationsOf(reader, alias)) {
      const pointer = `#/paths/${escapePointer(path)}/${method}`;
      const parameters = parametersOf(reader, alias, pointer, operation);
      const body = isObject(operation.requestBody) ? operation.requestBody : undefined;
      const bodySchemas = body ? contentSchemas(reader, alias, `${pointer}/requestBody/content`, body.content) : [];
      operations[id] = {
        document: alias,
        method,
        path,
        requestMediaTypes: bodySchemas.map((s) => s.mediaType),
        parameters: parameters.map(({ name, in: location, required, type }) => ({
          name,
          in: location,
          required,
          type,
        })),
        responses: Object.keys(isObject(operation.responses) ? operation.responses : {}),
        security: securityOf(reader, alias, operation),
        platformEndpoint: operation["x-nhs-app-platform-endpoint"] === true,
      };
      const entry: OperationValidators = {};
      // Every request body, the token request's form fields included (validated as an object of strings).
      if (bodySchemas.length > 0) {
        entry.body = Object.fromEntries(bodySchemas.map((s) => [s.mediaType, facts(s.pointer, s.node)]));
      }
      const query = parameters.filter((p) => p.in === "query");
      if (query.length > 0) {
        // A query is validated as one object, each parameter's schema under its name.
        entry.query = facts(`${pointer}/parameters`, {
          type: "object",
          required: query.filter((p) => p.required).map((p) => p.name),
          properties: Object.fromEntries(query.map((p) => [p.name, { $ref: `${p.pointer}/schema` }])),
        });
      }
      // Every response with a JSON body, by status as the spec writes it (`400`, `4XX`, `default`).
      const byStatus: Record<string, Record<string, string>> = {};
      for (const status of Object.keys(isObject(operation.responses) ? operation.responses : {})) {
        const response = reader.resolve(alias, `${pointer}/responses/${status}`);
        const content = isObject(response.node) ? response.node.content : undefined;
        const schemas = contentSchemas(reader, alias, `${response.pointer}/content`, content).filter((s) =>
          /json/i.test(s.mediaType),
        );
        if (schemas.length > 0) {
          byStatus[status] = Object.fromEntries(schemas.map((s) => [s.mediaType, facts(s.pointer, s.node)]));
        }
      }
      if (Object.keys(byStatus).length > 0) entry.responses = byStatus;
      if (Object.keys(entry).length > 0) validators[id] = entry;
    }

    if (roots.size === 0) continue;
    const exports = Object.fromEntries([...roots.values()].map((fn) => [fn, fn]));
    const code = standaloneCode(ajv, exports).replace(/^"use strict";/, "");
    if (/\brequire\(/.test(code)) {
      throw new Error(`generate-contract: the ${alias} validators need a run-time require(); they must stand alone`);
    }
    modules.set(
      alias,
      [
        "// @ts-nocheck",
        `// JSON Schema validators for ${alias}, compiled by Ajv from the bundled spec by \`pnpm generate\`.`,
        "// Do not edit: change spec/ and regenerate.",
        'import { formats } from "../formats.js";',
        "",
        code,
        "",
      ].join("\n"),
    );
  }

  const systems = Object.fromEntries(
    Object.entries(systemSources).map(([name, source]) => [name, reader.only(name, source)]),
  );
  const recognised = reader.read("recognisedIdentifierSystems", recognisedSystemsSource);
  if (
    !Array.isArray(recognised) ||
    !recognised.every((r) => isObject(r) && typeof r.name === "string" && typeof r.system === "string")
  ) {
    throw new Error(`generate-contract: ${recognisedSystemsSource} must list { name, system, duplicate }`);
  }
  for (const r of recognised as { name: string; system: string }[]) systems[r.name] = r.system;

  const markdown = markdownOf(reader);
  const quietHours = quietHoursOf(reader);

  const environments: Record<string, { baseUrl: string; tokenUrl: string; requestsPerSecond?: number }> = {};
  const tokenPath = operations["get-access-token"]?.path;
  if (!tokenPath) throw new Error("generate-contract: the oauth-token document has no get-access-token operation");
  const serversOf = (alias: string) =>
    (Array.isArray(reader.document(alias).servers) ? (reader.document(alias).servers as JsonObject[]) : []).filter(
      (server) => typeof server["x-environment"] === "string",
    );
  for (const server of serversOf(environmentSources.api)) {
    const name = server["x-environment"] as string;
    const token = serversOf(environmentSources.token).find((s) => s["x-environment"] === name);
    if (!token) throw new Error(`generate-contract: the oauth-token document has no server for x-environment ${name}`);
    environments[name] = {
      baseUrl: String(server.url),
      tokenUrl: `${String(token.url)}${tokenPath}`,
      ...(typeof server["x-requests-per-second"] === "number"
        ? { requestsPerSecond: server["x-requests-per-second"] }
        : {}),
    };
  }

  const constant = (name: string, doc: string, value: unknown) =>
    `/** ${doc} */\nexport const ${name} = ${JSON.stringify(value, null, 2)} as const;\n`;
  const constants = [
    "// The NHS App API's contract as constants, generated by `pnpm generate` from the bundled spec",
    "// (see scripts/lib/contract-sources.ts for where each value is read). Do not edit: change spec/.",
    "",
    constant(
      "operations",
      "Every operation of every document: method, path, request media types, parameters, statuses, credentials, and whether the platform answers it itself.",
      operations,
    ),
    constant("environments", "The API and token URLs of each environment (servers with x-environment).", environments),
    constant("systems", "Identifier systems and URLs; case-sensitive.", systems),
    constant(
      "recognisedIdentifierSystems",
      "The identifier systems the API records, each at most once, with the server's error for a repeat.",
      recognised,
    ),
    constant(
      "contentStringMarkdown",
      "The Markdown subset the NHS App renders in an in-app message's text (x-nhs-app-markdown on ContentString): the features it renders, anything else showing as text, and whether it decodes HTML entities.",
      markdown,
    ),
    constant(
      "pushQuietHours",
      "When the NHS App sends no push notification (x-nhs-app-quiet-hours): from start (inclusive) to end (exclusive), local time in timeZone; one requested then, or the push after an in-app message, is sent at end.",
      quietHours,
    ),
    constant(
      "tokenRequest",
      "The fixed form fields of a client-credentials token request.",
      Object.fromEntries(
        Object.entries(tokenRequestSources).map(([name, source]) => [name, reader.only(name, source)]),
      ),
    ),
    constant(
      "limits",
      "Length and count limits.",
      Object.fromEntries(Object.entries(limitSources).map(([name, source]) => [name, reader.number(name, source)])),
    ),
    constant(
      "patterns",
      "Regular expressions (ECMAScript syntax), as the spec writes them.",
      Object.fromEntries(Object.entries(patternSources).map(([name, source]) => [name, reader.string(name, source)])),
    ),
    constant(
      "enums",
      "Closed lists of values.",
      Object.fromEntries(Object.entries(enumSources).map(([name, source]) => [name, reader.strings(name, source)])),
    ),
    constant(
      "validators",
      "Which compiled validator checks what: request bodies by media type, queries, and responses by status.",
      validators,
    ),
    constant(
      "compiledValidators",
      "What each compiled validator knows of its schema: its document, its place, its properties' order and the spec's x-issues wording.",
      compiled,
    ),
  ].join("\n");
  const camel = (alias: string) => alias.replace(/-(\w)/g, (_match, letter: string) => letter.toUpperCase());
  const index = [
    "// Every compiled validator module, by document. Generated by `pnpm generate`; do not edit.",
    ...[...modules.keys()].map((alias) => `import * as ${camel(alias)} from "./validators-${alias}.js";`),
    "",
    `export const compiledModules = { ${[...modules.keys()].map((alias) => `"${alias}": ${camel(alias)}`).join(", ")} };`,
    "",
  ].join("\n");
  return { constants, validators: modules, index };
}
