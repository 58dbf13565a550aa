// Validation of what crosses the API, as the server would judge it: the
// spec's compiled schema first, then the rules a schema cannot state, in one
// list in the server's order. Request bodies of the NHS App API and bodies
// of the callbacks a supplier receives are validated alike; so are report
// queries and responses: the NHS App's (for mocks that check themselves)
// and a callback endpoint's.
import { type CompiledValidator, compiledFunction } from "./compiled.js";
import { compiledValidators, operations, recognisedIdentifierSystems, validators } from "./generated/contract.js";
import {
  type ContractIssue,
  contractIssue,
  inServerOrder,
  ruleOf,
  schemaIssues,
  type ValidatorPlace,
} from "./issues.js";
import { communicationRequestRules, inAppMessageRules, replyRules, singleValuedParameters } from "./rules.js";

/** Every operationId of every document: `create-in-app`, `get-receipt-report`, `create-realtime-receipt`, ... */
export type OperationId = keyof typeof operations;

interface ValidatorFacts extends ValidatorPlace {
  /** The compiled function's export, in the module of its document. */
  fn: string;
  document: string;
}

interface OperationValidators {
  body?: Readonly<Record<string, string>>;
  query?: string;
  responses?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

const table = validators as unknown as Readonly<Record<string, OperationValidators>>;

/** The rules each operation's body follows beyond its schema, by operationId. */
const bodyRules: Readonly<Record<string, (body: unknown) => ContractIssue[]>> = {
  "create-in-app": (body) => inAppMessageRules(body, recognisedIdentifierSystems),
  "create-notification": (body) => communicationRequestRules(body, recognisedIdentifierSystems),
  "create-realtime-replies": replyRules,
};
const facts = compiledValidators as unknown as Readonly<Record<string, Omit<ValidatorFacts, "fn">>>;

/** A compiled validator's facts, with its function once first used. */
interface Place extends ValidatorFacts {
  validate?: CompiledValidator;
}

// One place per compiled validator, made once: a call costs a lookup, not a copy.
const places = new Map<string, Place>(Object.entries(facts).map(([fn, known]) => [fn, { ...known, fn }]));

/** The facts of a compiled validator, by the name of its export. */
function placeOf(fn: string | undefined): Place | undefined {
  return fn === undefined ? undefined : places.get(fn);
}

/** The operation's facts; an operationId the spec does not have is a programming error. */
function operationOf(operationId: string) {
  const operation = (operations as Readonly<Record<string, (typeof operations)[OperationId]>>)[operationId];
  if (!operation) throw new TypeError(`@nhs-app-api/contract: no operation ${operationId} in the spec`);
  return operation;
}

/** What an operation's request body is checked with: the validator of each media type, the first by default. */
interface BodyCheck {
  first: Place | undefined;
  byType: ReadonlyMap<string, Place>;
  rules: ((body: unknown) => ContractIssue[]) | undefined;
}

// Worked out once, so that validating a body looks up nothing by building or sorting keys.
const bodyChecks = new Map<string, BodyCheck>();
for (const [operationId, entry] of Object.entries(table)) {
  if (!Object.hasOwn(operations, operationId) || !entry.body) continue;
  const byType = new Map<string, Place>();
  for (const [type, fn] of Object.entries(entry.body)) {
    const place = placeOf(fn);
    if (place) byType.set(type, place);
  }
  const first = byType.get(Object.keys(entry.body)[0] ?? "");
  bodyChecks.set(operationId, { first, byType, rules: bodyRules[operationId] });
}

function run(place: Place, data: unknown, extra: readonly ContractIssue[] = []): ContractIssue[] {
  place.validate ??= compiledFunction(place.document, place.fn);
  const validate = place.validate;
  // A valid body without extra issues, the usual case, has nothing to word, order or sort.
  if (validate(data)) return extra.length === 0 ? [] : inServerOrder(extra, place.order);
  return inServerOrder([...schemaIssues(validate.errors ?? [], place, data), ...extra], place.order);
}

/** The media type of a Content-Type header value, lower case, without parameters. */
export const mediaTypeOf = (contentType: string | null | undefined) =>
  contentType?.split(";")[0]?.trim().toLowerCase() ?? "";

/** The media types an operation's request body may be sent as, in the spec's order. */
export const requestMediaTypes = (operationId: string): readonly string[] => operationOf(operationId).requestMediaTypes;

/** Whether an operation takes a body sent with this Content-Type. */
export const acceptsMediaType = (operationId: string, contentType: string | null | undefined) =>
  requestMediaTypes(operationId).includes(mediaTypeOf(contentType));

/**
 * Every problem with a request body (an NHS App request or a callback body),
 * or an empty list. The body is checked against the schema of `mediaType`,
 * by default the first the operation takes.
 */
export function requestBodyIssues(operationId: OperationId, body: unknown, mediaType?: string): ContractIssue[] {
  const check = bodyChecks.get(operationId);
  const place = mediaType === undefined ? check?.first : check?.byType.get(mediaTypeOf(mediaType));
  if (!place) return noBody(operationId, mediaType);
  return run(place, body, check?.rules?.(body));
}

/** Why an operation takes no such body: no operation, no body, or not as that media type. Always throws. */
function noBody(operationId: string, mediaType: string | undefined): never {
  operationOf(operationId);
  const bodies = table[operationId]?.body;
  const type = mediaType === undefined ? Object.keys(bodies ?? {})[0] : mediaTypeOf(mediaType);
  throw new TypeError(`@nhs-app-api/contract: ${operationId} takes no JSON body as ${type ?? "any type"}`);
}

/** A query as the caller has it: URLSearchParams, or names to values (arrays for repeats; undefined is absent). */
export type QueryInput = URLSearchParams | Readonly<Record<string, unknown>>;

function valuesOf(query: QueryInput): Map<string, string[]> {
  const values = new Map<string, string[]>();
  if (query instanceof URLSearchParams) {
    for (const [name, value] of query) values.set(name, [...(values.get(name) ?? []), value]);
    return values;
  }
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    values.set(name, (Array.isArray(value) ? value : [value]).map(String));
  }
  return values;
}

/**
 * Every problem with a report's query, or an empty list: each parameter given
 * once and valid by its schema. Integer parameters are read as the server
 * reads them: digits only (`2`, not `2.0` or `0x2`).
 */
export function queryIssues(operationId: OperationId, query: QueryInput | null | undefined): ContractIssue[] {
  operationOf(operationId);
  const place = placeOf(table[operationId]?.query);
  if (!place) throw new TypeError(`@nhs-app-api/contract: ${operationId} has no query parameters`);
  const values = valuesOf(query ?? {});
  const repeated = singleValuedParameters(values);
  const parameters = operationOf(operationId).parameters.filter((p) => p.in === "query");
  const data: Record<string, unknown> = {};
  for (const parameter of parameters) {
    const value = values.get(parameter.name)?.[0];
    if (value === undefined || repeated.some((issue) => issue.expression?.[0] === parameter.name)) continue;
    data[parameter.name] = parameter.type === "integer" && /^-?\d+$/.test(value) ? Number(value) : value;
  }
  // A repeated parameter is reported once, as repeated, not also as missing.
  const issues = run(place, data, repeated);
  return issues.filter(
    (issue) => !(ruleOf(issue) === "required" && repeated.some((r) => r.expression?.[0] === issue.expression?.[0])),
  );
}

/**
 * The spec's response for a status, as OpenAPI chooses it: the status itself
 * (`400`), else its range (`4XX`), else `default`.
 */
function responseFor(operationId: string, status: string) {
  const responses = table[operationId]?.responses;
  return responses?.[status] ?? responses?.[`${status.charAt(0)}XX`] ?? responses?.default;
}

/**
 * Every way a response body differs from the spec's schema for its status, or
 * an empty list: an NHS App or token endpoint answer, or a callback
 * endpoint's. A status the spec gives no JSON body is an issue of its own.
 */
export function responseBodyIssues(
  operationId: OperationId,
  status: number | string,
  body: unknown,
  mediaType?: string,
): ContractIssue[] {
  operationOf(operationId);
  const byType = responseFor(operationId, String(status));
  if (!byType)
    return [contractIssue("", `${operationId} has no ${status} response with a JSON body in the spec`, "status")];
  const type = mediaType === undefined ? Object.keys(byType)[0] : mediaTypeOf(mediaType);
  const place = placeOf(type === undefined ? undefined : byType[type]);
  if (!place) return [contractIssue("", `${operationId} ${status} is not sent as ${type}`, "media-type")];
  return run(place, body);
}
