// What the comparator cannot see: an answer field the pact expects that
// spec/ requires and the release makes optional. Every answer the pact
// expects is still allowed, but the provider may now leave the field out,
// and the client reads it. Found among the differences no departure
// explains, and laid against the bodies of the pact's answers.
import type { Difference } from "./diff.js";
import type { Fault } from "./interactions.js";
import { isObject } from "./load.js";
import { type PactInteraction, underTemplate } from "./pact.js";

/** `paths["/a"].get.responses["200"].content["application/json"].schema.properties.x.required["id"]`, taken apart. */
const REQUIRED_IN_RESPONSE =
  /^paths\["((?:[^"\\]|\\.)*)"\]\.(\w+)\.responses\["([^"]+)"\]\.content\["(?:[^"\\]|\\.)*"\]\.schema(.*)\.required\["((?:[^"\\]|\\.)*)"\]$/;

/** The schema path below a response's schema as the steps into a body: a property's name, or any item of a list. */
function bodySteps(schemaPath: string): (string | "*")[] | undefined {
  const steps: (string | "*")[] = [];
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
function reach(body: unknown, steps: readonly (string | "*")[], at = ""): { value: unknown; at: string }[] {
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

const unquote = (text: string) => JSON.parse(`"${text}"`) as string;

/**
 * For each interaction (by position in `interactions`), a fault for every
 * answer field its pact body holds that spec/ requires and the release does
 * not. `differences` are the comparison's, ours against the release.
 */
export function droppedPromises(
  interactions: readonly PactInteraction[],
  differences: readonly Difference[],
): Map<number, Fault[]> {
  const faults = new Map<number, Fault[]>();
  for (const difference of differences) {
    // `added`: only spec/ has it (the release lacks the requirement).
    const parts = difference.kind === "added" ? REQUIRED_IN_RESPONSE.exec(difference.key) : null;
    if (!parts) continue;
    const [, template = "", method = "", status = "", schemaPath = "", name = ""] = parts;
    const steps = bodySteps(schemaPath);
    if (!steps) continue;
    const property = unquote(name);
    interactions.forEach((interaction, index) => {
      if (interaction.request.method.toLowerCase() !== method || String(interaction.response.status) !== status) return;
      if (!underTemplate(unquote(template), interaction.request.path)) return;
      const body = isObject(interaction.response.body) ? interaction.response.body.content : undefined;
      for (const place of reach(body, steps)) {
        if (!isObject(place.value) || !(property in place.value)) continue;
        const field = `response body ${place.at ? `${place.at}.` : ""}${property}`;
        faults.set(index, [
          ...(faults.get(index) ?? []),
          { field, message: "the release no longer requires it in the answer (spec/ does), and the pact expects it" },
        ]);
        break; // one fault per field, not one per item of a list
      }
    });
  }
  return faults;
}
