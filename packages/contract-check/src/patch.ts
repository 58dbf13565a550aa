// Another version of the contract (a new release of NHS England's files, say)
// with our departures applied: wherever spec/departures.yaml explains a
// difference between that version and spec/, the place takes spec/'s value,
// so that the verification judges the pacts on everything else. Differences
// no departure explains are left as the other version has them, and listed.
import { isDeepStrictEqual } from "node:util";
import type { Departure } from "./departures.js";
import { explain } from "./departures.js";
import { type Difference, diffFacts } from "./diff.js";
import { collectFacts } from "./facts.js";
import { isObject, type JsonObject } from "./load.js";

/** `paths["/a"].post.parameters[2].schema` as the keys to walk: `paths`, `/a`, `post`, `parameters`, 2, `schema`. */
export function parseWhere(where: string): (string | number)[] {
  const segments: (string | number)[] = [];
  const pattern = /^([^.[\]]+)|\.([^.[\]]+)|\[("(?:[^"\\]|\\.)*"|\d+)\]/g;
  let consumed = 0;
  for (const match of where.matchAll(pattern)) {
    if (match.index !== consumed) throw new Error(`cannot read the place ${where}`);
    consumed = match.index + match[0].length;
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(match[2]);
    else {
      const inside = match[3] as string;
      segments.push(inside.startsWith('"') ? (JSON.parse(inside) as string) : Number(inside));
    }
  }
  if (consumed !== where.length) throw new Error(`cannot read the place ${where}`);
  return segments;
}

type Node = Record<string | number, unknown>;

function parentOf(
  root: JsonObject,
  where: string,
  create: boolean,
): { parent: Node; key: string | number } | undefined {
  const segments = parseWhere(where);
  let node: unknown = root;
  for (const [index, segment] of segments.slice(0, -1).entries()) {
    const container = node as Node;
    // A container made on the way is a list where the next key is a position (oneOf[0]).
    if (container[segment] === undefined && create)
      container[segment] = typeof segments[index + 1] === "number" ? [] : {};
    node = container[segment];
    if (typeof node !== "object" || node === null) return undefined;
  }
  return { parent: node as Node, key: segments.at(-1) as string | number };
}

const valueAt = (root: JsonObject, where: string): unknown => {
  const place = parentOf(root, where, false);
  return place ? structuredClone(place.parent[place.key]) : undefined;
};

/** `...required["name"]`: a name in a `required` list, which is added or removed alone. */
const REQUIRED_NAME = /\.required\[("(?:[^"\\]|\\.)*")\]$/;
/** `...parameters[query:page]`: a parameter, which is found by its identity, not its index. */
const PARAMETER = /\.parameters\[([a-z]+):([^\]]+)\]$/;

function applyOne(target: JsonObject, ours: JsonObject, difference: Difference) {
  const requiredName = REQUIRED_NAME.exec(difference.key);
  if (requiredName) {
    const name = JSON.parse(requiredName[1] as string) as string;
    const where = (difference.published ?? difference.ours)?.where as string;
    const place = parentOf(target, where, difference.kind === "added");
    if (!place) return;
    const list = Array.isArray(place.parent[place.key]) ? (place.parent[place.key] as string[]) : [];
    const names = difference.kind === "removed" ? list.filter((n) => n !== name) : [...new Set([...list, name])];
    // OpenAPI 3.0 allows no empty `required` list.
    if (names.length > 0) place.parent[place.key] = names;
    else delete place.parent[place.key];
    return;
  }
  const parameter = PARAMETER.exec(difference.key);
  if (parameter && difference.kind !== "changed") {
    const operationWhere = (difference.published ?? difference.ours)?.where.replace(/\.parameters\[\d+\]$/, "");
    const place = operationWhere ? parentOf(target, `${operationWhere}.parameters`, true) : undefined;
    if (!place) return;
    const list = Array.isArray(place.parent[place.key]) ? (place.parent[place.key] as JsonObject[]) : [];
    const same = (p: JsonObject) =>
      p.in === parameter[1] &&
      (parameter[1] === "header" ? String(p.name).toLowerCase() === parameter[2] : String(p.name) === parameter[2]);
    place.parent[place.key] =
      difference.kind === "removed"
        ? list.filter((p) => !same(p))
        : [...list, valueAt(ours, difference.ours?.where as string)];
    return;
  }
  if (difference.kind === "removed") {
    const where = difference.published?.where as string;
    const place = parentOf(target, where, false);
    if (!place) return;
    delete place.parent[place.key];
    // An emptied `properties` map goes too: left behind, a strict copy would allow no property at all.
    const container = where.replace(/\.[^.[\]]+$|\[[^\]]+\]$/, "");
    if (container.endsWith(".properties") && Object.keys(place.parent).length === 0) {
      const owner = parentOf(target, container, false);
      if (owner) delete owner.parent[owner.key];
    }
    return;
  }
  // Added or changed: the place takes our value. Where the two documents nest it alike, our place is theirs,
  // except a parameter's position, which is found by its identity in their list.
  const from = difference.ours?.where as string;
  const to = difference.kind === "changed" ? (difference.published?.where as string) : theirPlace(target, difference);
  const place = parentOf(target, to, true);
  if (place) place.parent[place.key] = valueAt(ours, from);
}

/** Where an added fact goes in the target: our place, with a parameter's position taken from the target's list. */
function theirPlace(target: JsonObject, difference: Difference): string {
  const ours = difference.ours?.where as string;
  const parameter = /\.parameters\[([a-z]+):([^\]]+)\]/.exec(difference.key);
  const position = /^(.*?\.parameters)\[(\d+)\](.*)$/.exec(ours);
  if (!parameter || !position) return ours;
  const list = valueAt(target, position[1] as string);
  const index = Array.isArray(list)
    ? list.findIndex(
        (p: JsonObject) =>
          p.in === parameter[1] &&
          (parameter[1] === "header" ? String(p.name).toLowerCase() : String(p.name)) === parameter[2],
      )
    : -1;
  return index === -1 ? ours : `${position[1]}[${index}]${position[3]}`;
}

export interface Patched {
  document: JsonObject;
  /**
   * Differences from spec/ that no departure explains: the new version's own changes, judged as they are.
   * `outdated`: a departure covers the place but was written for another published value.
   */
  unexplained: (Difference & { outdated?: string })[];
}

/** A copy of `target` with every difference from `ours` that a departure of document `alias` explains put back to ours. */
export function applyDepartures(
  target: JsonObject,
  ours: JsonObject,
  alias: string,
  departures: readonly Departure[],
): Patched {
  const document = structuredClone(target);
  const unexplained: Patched["unexplained"] = [];
  const differences = diffFacts(collectFacts(target), collectFacts(ours));
  // Changes first, then additions from the top down, then removals: each lands where the one before left room.
  const order = { changed: 0, added: 1, removed: 2 } as const;
  for (const difference of [...differences].sort(
    (a, b) => order[a.kind] - order[b.kind] || a.key.length - b.key.length,
  )) {
    const { departure, outdated } = explain(difference, departures, alias);
    if (departure) applyOne(document, ours, difference);
    else {
      unexplained.push(outdated ? { ...difference, outdated: outdated.departure.id } : difference);
      // A departure that adds enum values (a code the publisher leaves out) still holds when the publisher has
      // changed the list again: our values join theirs, and the change is listed as unexplained all the same.
      if (outdated && difference.kind === "changed" && difference.key.endsWith(".enum")) {
        unionEnum(document, ours, difference, outdated.expected);
      }
    }
  }
  withSecuritySchemes(document, ours);
  return { document, unexplained };
}

/**
 * The enum at a changed place, as the release's values and those our
 * departure adds: the values of ours that the published list it was written
 * against lacked (a code the publisher leaves out). A value the release drops
 * stays dropped.
 */
function unionEnum(target: JsonObject, ours: JsonObject, difference: Difference, writtenFor: unknown) {
  const place = parentOf(target, difference.published?.where as string, false);
  const mine = valueAt(ours, difference.ours?.where as string);
  if (!place || !Array.isArray(place.parent[place.key]) || !Array.isArray(mine) || !Array.isArray(writtenFor)) return;
  const theirs = place.parent[place.key] as unknown[];
  // The comparison keeps an enum as its values' JSON texts.
  const added = mine.filter((value) => !writtenFor.includes(JSON.stringify(value)));
  place.parent[place.key] = [...theirs, ...added.filter((value) => !theirs.some((t) => isDeepStrictEqual(t, value)))];
}

/**
 * Security requirements name their schemes rather than refer to them, so an
 * operation put back from ours (the platform's `_status`, say) can name a
 * scheme the other version lacks: it comes along from ours, or the document
 * would not be valid OpenAPI.
 */
function withSecuritySchemes(document: JsonObject, ours: JsonObject) {
  const schemesOf = (doc: JsonObject) => {
    const components = isObject(doc.components) ? doc.components : undefined;
    return components && isObject(components.securitySchemes) ? components.securitySchemes : undefined;
  };
  const requirements = [
    ...(Array.isArray(document.security) ? document.security : []),
    ...Object.values(isObject(document.paths) ? document.paths : {}).flatMap((item) =>
      Object.values(isObject(item) ? item : {}).flatMap((operation) =>
        isObject(operation) && Array.isArray(operation.security) ? operation.security : [],
      ),
    ),
  ];
  const theirs = schemesOf(document) ?? {};
  const available = schemesOf(ours) ?? {};
  for (const name of new Set(
    requirements.flatMap((requirement) => (isObject(requirement) ? Object.keys(requirement) : [])),
  )) {
    if (theirs[name] !== undefined || available[name] === undefined) continue;
    document.components = isObject(document.components) ? document.components : {};
    const components = document.components as JsonObject;
    components.securitySchemes = { ...(isObject(components.securitySchemes) ? components.securitySchemes : {}) };
    (components.securitySchemes as JsonObject)[name] = structuredClone(available[name]);
  }
}
