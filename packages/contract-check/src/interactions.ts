// Judges each interaction of a committed pact against one OpenAPI document,
// statically: nothing is started, so it takes a fraction of a second.
//
// The comparison is PactFlow's openapi-pact-comparator, made for exactly this
// job: the request (path, method, query, headers, body) against what the
// operation accepts, and the answer the pact expects (status, headers, body)
// against what the operation may answer. Three things are added here:
// - Every result it gives fails the interaction, warnings too: it only warns
//   about a query parameter or a header the document does not declare, which
//   is what a renamed parameter looks like.
// - Request bodies are judged by a strict copy of the document (no undeclared
//   field), so a field the client sends that the contract dropped or renamed
//   fails; and the body's media type must be one the operation accepts.
// - An interaction that expects its request refused (a 400 the pact asks for)
//   with no provider state to set that up must be refused by the document
//   itself: the comparator skips request bodies there.
import * as comparatorModule from "@pactflow/openapi-pact-comparator";
import { ContractInputError, isObject, type JsonObject } from "./load.js";
import { headerOf, operationFor, type PactFile, type PactInteraction } from "./pact.js";
import { strictRequestSpec } from "./strict.js";

/** One thing an interaction does that the document does not allow. */
export interface Fault {
  /** The field at fault, as a reader finds it in the interaction: `request body payload[0].contentString`. */
  field: string;
  /** What is wrong with it. */
  message: string;
  /** Where the rule sits in the checked document, when known: `paths./_ping.get.responses.200`. */
  rule?: string;
}

export interface InteractionVerdict {
  description: string;
  /** The provider state the interaction names, if any. */
  state?: string;
  passed: boolean;
  faults: Fault[];
}

interface ComparatorResult {
  code: string;
  message: string;
  type: "error" | "warning" | "info";
  mockDetails?: { location: string };
  specDetails?: { location: string };
}

interface Comparator {
  compare(pact: PactFile): AsyncIterable<ComparatorResult>;
}

// The comparator's published declarations cannot be resolved under NodeNext (their `types` condition comes
// after `import`, and they import private `#` paths), so the little of it used here is declared here.
const { Comparator } = comparatorModule as unknown as { Comparator: new (options: { oas: JsonObject }) => Comparator };

/** `payload.0.contentString` as `payload[0].contentString`. */
const readablePath = (segments: string[]) =>
  segments.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");

/** The field a comparator result names: its place in the interaction, and the property its message names. */
function fieldOf(location: string, message: string): string {
  const [part = "", kind = "", ...rest] = location.replace(/^\[root\]\.interactions\[\d+\]\.?/, "").split(".");
  // "must have required property 'x'" and "must NOT have additional properties - x" name the property.
  const property =
    /required property '([^']+)'/.exec(message)?.[1] ?? /additional properties - (\S+)/.exec(message)?.[1];
  const inBody = readablePath([...rest, ...(property ? [property] : [])]);
  switch (kind) {
    case "body":
      return `${part} body${inBody ? ` ${inBody}` : ""}`;
    case "headers":
      // A missing credential names no header in the location; the message does ("Request Authorization header").
      return `${part} header ${rest.join(".") || (/ (\S+) header /.exec(message)?.[1] ?? "(credentials)")}`;
    case "query":
      return `query parameter ${rest.join(".") || "(credentials)"}`;
    case "path":
      return "request path";
    case "method":
      return "request method";
    case "status":
      return "response status";
    default:
      return [part, kind, ...rest].filter(Boolean).join(" ") || "interaction";
  }
}

const ruleOf = (result: ComparatorResult) => result.specDetails?.location.replace(/^\[root\]\.?/, "") || undefined;

function toFault(result: ComparatorResult): Fault {
  const rule = ruleOf(result);
  return {
    field: fieldOf(result.mockDetails?.location ?? "", result.message),
    message: result.message,
    ...(rule ? { rule } : {}),
  };
}

/** The comparator's results for a pact, by interaction index; informational results are left out. */
async function compare(comparator: Comparator, pact: PactFile): Promise<Map<number, ComparatorResult[]>> {
  const byInteraction = new Map<number, ComparatorResult[]>();
  try {
    for await (const result of comparator.compare(pact)) collect(result);
  } catch (error) {
    // A document the comparator cannot compile (a reference it cannot follow, say) is input it cannot read.
    throw new ContractInputError(`cannot compare the pact with it (${(error as Error).message.split("\n")[0]})`);
  }
  return byInteraction;

  function collect(result: ComparatorResult) {
    if (result.type === "info") return;
    const index = Number(/^\[root\]\.interactions\[(\d+)\]/.exec(result.mockDetails?.location ?? "")?.[1] ?? -1);
    // A result about the pact as a whole (no interaction named) is a fault of every interaction it was given.
    const indices = index >= 0 ? [index] : pact.interactions.map((_, i) => i);
    for (const i of indices) byInteraction.set(i, [...(byInteraction.get(i) ?? []), result]);
  }
}

/** Whether a media range an operation lists (`application/json; charset=utf-8`, `application/*`) takes a type. */
function mediaRangeAccepts(range: string, type: string): boolean {
  const [wanted = ""] = range.split(";");
  const [kind, subtype] = wanted.trim().toLowerCase().split("/");
  const [sentKind, sentSubtype] = type.split("/");
  return (kind === "*" || kind === sentKind) && (subtype === "*" || subtype === sentSubtype);
}

/** A request body sent with a media type the operation does not accept. */
function mediaTypeFault(document: JsonObject, interaction: PactInteraction): Fault | undefined {
  const { request } = interaction;
  if (request.body === undefined) return undefined;
  const operation = operationFor(document, request.method, request.path);
  if (!operation) return undefined; // the comparator says so
  const sent = (headerOf(request.headers, "content-type") ?? request.body.contentType ?? "")
    .split(";")[0]
    ?.trim()
    .toLowerCase();
  const content = isObject(operation.requestBody) ? operation.requestBody.content : undefined;
  const accepted = Object.keys(isObject(content) ? content : {});
  if (accepted.some((type) => mediaRangeAccepts(type, sent ?? ""))) return undefined;
  return {
    field: "request header content-type",
    message: `the request body is sent as ${sent || "(no Content-Type)"}; the operation accepts ${accepted.join(", ") || "no body"}`,
  };
}

/** The status an operation answers when it accepts a request: its first 2xx. */
function successStatus(document: JsonObject, interaction: PactInteraction): number | undefined {
  const operation = operationFor(document, interaction.request.method, interaction.request.path);
  const responses = operation && isObject(operation.responses) ? Object.keys(operation.responses) : [];
  const status = responses.find((code) => /^2(\d\d|XX)$/i.test(code));
  return status === undefined ? undefined : /^2XX$/i.test(status) ? 200 : Number(status);
}

/**
 * Whether the interaction asks for its body to be refused as invalid by the
 * document itself: a 400 with no provider state. Where a state is named ("the
 * NHS App refuses a message with several problems"), the state sets the
 * refusal up, and the body may break rules a schema cannot state.
 */
const expectsRefusal = (interaction: PactInteraction) =>
  interaction.response.status === 400 &&
  interaction.request.body !== undefined &&
  (interaction.providerStates ?? []).length === 0;

/**
 * Each interaction of `pact` judged against `document` (fully dereferenced),
 * in the pact's order. `only` limits it to some interactions, by index.
 */
export async function judgeInteractions(
  pact: PactFile,
  document: JsonObject,
  only?: readonly number[],
): Promise<InteractionVerdict[]> {
  const strict = strictRequestSpec(document);
  const comparator = new Comparator({ oas: strict });
  const chosen = only ?? pact.interactions.map((_, index) => index);
  const subset: PactFile = {
    ...pact,
    interactions: chosen.map((index) => pact.interactions[index] as PactInteraction),
  };
  const results = await compare(comparator, subset);

  // A refused request, put to the operation as if it expected success: the comparator must find fault with it.
  const refusals = subset.interactions.flatMap((interaction, position) => {
    const status = expectsRefusal(interaction) ? successStatus(strict, interaction) : undefined;
    return status === undefined ? [] : [{ position, probe: { ...interaction, response: { status } } }];
  });
  const probed = await compare(comparator, { ...subset, interactions: refusals.map((r) => r.probe) });
  const accepted = new Set(
    refusals
      .filter((_, i) => !(probed.get(i) ?? []).some((r) => r.mockDetails?.location.includes(".request.")))
      .map((r) => r.position),
  );

  return subset.interactions.map((interaction, position) => {
    const faults = (results.get(position) ?? []).map(toFault);
    const media = mediaTypeFault(strict, interaction);
    if (media) faults.push(media);
    if (accepted.has(position)) {
      faults.push({
        field: "request body",
        message: `the document accepts this body, though the pact expects it refused with ${interaction.response.status}`,
      });
    }
    const state = interaction.providerStates?.[0]?.name;
    return {
      description: interaction.description,
      ...(state ? { state } : {}),
      passed: faults.length === 0,
      faults,
    };
  });
}
