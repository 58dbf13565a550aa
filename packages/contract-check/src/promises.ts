// What the comparator cannot see: a field our side reads that spec/ requires
// and the release makes optional. Every body the pact holds is still
// allowed, but the other side may now leave the field out. For the client's
// pacts that is a field of an answer; for the callbacks, where this project
// is the one answering, a field of the request the NHS App sends. Candidates
// come from the differences no departure explains; each is then confirmed on
// the release as it will be judged (the departures put back), where a field
// counts as required if any part of its schema (allOf, a single oneOf
// branch, every branch of a larger one) requires it, so a schema merely
// rebuilt from parts is not taken for a dropped promise.
import type { Difference } from "./diff.js";
import type { Fault } from "./interactions.js";
import { isObject, type JsonObject } from "./load.js";
import { operationFor, type PactInteraction, underTemplate } from "./pact.js";

/** `paths["/a"].get.responses["200"].content["application/json"].schema.properties.x.required["id"]`, taken apart. */
const REQUIRED_IN_RESPONSE =
  /^paths\["((?:[^"\\]|\\.)*)"\]\.(\w+)\.responses\["([^"]+)"\]\.content\["((?:[^"\\]|\\.)*)"\]\.schema(.*)\.required\["((?:[^"\\]|\\.)*)"\]$/;
/** The same in a request body. */
const REQUIRED_IN_REQUEST =
  /^paths\["((?:[^"\\]|\\.)*)"\]\.(\w+)\.requestBody\.content\["((?:[^"\\]|\\.)*)"\]\.schema(.*)\.required\["((?:[^"\\]|\\.)*)"\]$/;

type Step = string | "*";

/** The schema path below a body's schema as the steps into a body: a property's name, or any item of a list. */
function bodySteps(schemaPath: string): Step[] | undefined {
  const steps: Step[] = [];
  const pattern = /\.properties\.([^.[\]]+)|\.items|\.(?:oneOf|anyOf|allOf)\[\d+\]|\.additionalProperties/g;
  let consumed = 0;
  for (const match of schemaPath.matchAll(pattern)) {
    if (match.index !== consumed) return undefined;
    consumed = match.index + match[0].length;
    if (match[1] !== undefined) steps.push(match[1]);
    else if (match[0] === ".items" || match[0] === ".additionalProperties") steps.push("*");
  }
  return consumed === schemaPath.length ? steps : undefined;
}

/** Where in a body the steps lead, as readable paths (`entry[0].resource`), for each place they reach. */
function reach(body: unknown, steps: readonly Step[], at = ""): { value: unknown; at: string }[] {
  const [step, ...rest] = steps;
  if (step === undefined) return [{ value: body, at }];
  if (step === "*") {
    const entries = Array.isArray(body)
      ? body.map((value, i) => [`[${i}]`, value] as const)
      : isObject(body)
        ? Object.entries(body).map(([key, value]) => [`.${key}`, value] as const)
        : [];
    return entries.flatMap(([suffix, value]) => reach(value, rest, `${at}${suffix}`));
  }
  return isObject(body) && step in body ? reach(body[step], rest, at ? `${at}.${step}` : step) : [];
}

/** A schema with the parts that stand for it: itself, its allOf parts, a lone oneOf/anyOf branch, all of them deep. */
function partsOf(schema: unknown, seen = new Set<unknown>()): JsonObject[] {
  if (!isObject(schema) || seen.has(schema)) return [];
  seen.add(schema);
  const lone = ["oneOf", "anyOf"].flatMap((key) => {
    const branches = schema[key];
    return Array.isArray(branches) && branches.length === 1 ? branches : [];
  });
  return [
    schema,
    ...(Array.isArray(schema.allOf) ? schema.allOf.flatMap((part) => partsOf(part, seen)) : []),
    ...lone.flatMap((branch) => partsOf(branch, seen)),
  ];
}

/** Whether a schema, followed along the steps, requires the property everywhere the steps lead. */
function requires(schema: unknown, steps: readonly Step[], property: string): boolean {
  const parts = partsOf(schema);
  const [step, ...rest] = steps;
  if (step === undefined) {
    const required = parts.some((part) => Array.isArray(part.required) && part.required.includes(property));
    // Every branch of a oneOf/anyOf of several requiring it is as good.
    const branchesRequire = parts.some((part) =>
      ["oneOf", "anyOf"].some((key) => {
        const branches = part[key];
        return Array.isArray(branches) && branches.length > 1 && branches.every((b) => requires(b, [], property));
      }),
    );
    return required || branchesRequire;
  }
  const next = parts.flatMap((part) => {
    if (step === "*") return [part.items, part.additionalProperties].filter(isObject);
    const properties = isObject(part.properties) ? part.properties : {};
    return isObject(properties[step]) ? [properties[step]] : [];
  });
  return next.some((child) => requires(child, rest, property));
}

const unquote = (text: string) => JSON.parse(`"${text}"`) as string;

export type Side = "answers" | "requests";

/**
 * For each interaction (by position in `interactions`), a fault for every
 * field of the bodies on `side` that spec/ requires and `release` (the
 * document as judged, departures put back) does not. `differences` are the
 * comparison's, ours against the release.
 */
export function droppedPromises(
  interactions: readonly PactInteraction[],
  differences: readonly Difference[],
  release: JsonObject,
  side: Side,
): Map<number, Fault[]> {
  const faults = new Map<number, Fault[]>();
  for (const difference of differences) {
    // `added`: only spec/ has it (the release lacks the requirement).
    if (difference.kind !== "added") continue;
    const response = side === "answers" ? REQUIRED_IN_RESPONSE.exec(difference.key) : null;
    const request = side === "requests" ? REQUIRED_IN_REQUEST.exec(difference.key) : null;
    const parts = response
      ? {
          template: response[1],
          method: response[2],
          status: response[3],
          media: response[4],
          path: response[5],
          name: response[6],
        }
      : request
        ? {
            template: request[1],
            method: request[2],
            status: undefined,
            media: request[3],
            path: request[4],
            name: request[5],
          }
        : undefined;
    if (!parts) continue;
    const steps = bodySteps(parts.path ?? "");
    if (!steps) continue;
    const property = unquote(parts.name ?? "");
    const template = unquote(parts.template ?? "");
    interactions.forEach((interaction, index) => {
      if (interaction.request.method.toLowerCase() !== parts.method) return;
      if (parts.status !== undefined && String(interaction.response.status) !== parts.status) return;
      if (!underTemplate(template, interaction.request.path)) return;
      const holder = side === "answers" ? interaction.response.body : interaction.request.body;
      const body = isObject(holder) ? holder.content : undefined;
      const place = reach(body, steps).find((p) => isObject(p.value) && property in p.value);
      if (!place) return;
      // Confirmed on the release itself: is it really not required there, whatever the schema's shape?
      const operation = operationFor(release, interaction.request.method, interaction.request.path);
      const container =
        side === "answers"
          ? isObject(operation?.responses)
            ? operation.responses[parts.status ?? ""]
            : undefined
          : operation?.requestBody;
      const content = isObject(container) && isObject(container.content) ? container.content : {};
      const media = content[unquote(parts.media ?? "")];
      if (isObject(media) && requires(media.schema, steps, property)) return;
      const where = side === "answers" ? "answer" : "request";
      faults.set(index, [
        ...(faults.get(index) ?? []),
        {
          field: `${side === "answers" ? "response" : "request"} body ${place.at ? `${place.at}.` : ""}${property}`,
          message: `the release no longer requires it in the ${where} (this project's contract does), and the pact holds it`,
        },
      ]);
    });
  }
  return faults;
}
