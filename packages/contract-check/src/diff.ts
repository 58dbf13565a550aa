// Compares the facts of a published document with ours. A fact found on one
// side only is `removed` (published only) or `added` (ours only); the same
// fact with another value is `changed`. Facts below a node that exists on one
// side only are not listed again: the node's own difference says it all.
import { isDeepStrictEqual } from "node:util";
import type { Facts } from "./facts.js";

export type DifferenceKind = "added" | "removed" | "changed";

export interface Difference {
  kind: DifferenceKind;
  key: string;
  published?: { where: string; value: unknown };
  ours?: { where: string; value: unknown };
}

const isBelow = (key: string, ancestor: string) =>
  key.length > ancestor.length && key.startsWith(ancestor) && /^[.[]/.test(key.slice(ancestor.length));

export function diffFacts(published: Facts, ours: Facts): Difference[] {
  const differences: Difference[] = [];
  for (const [key, fact] of published) {
    const mine = ours.get(key);
    if (!mine) differences.push({ kind: "removed", key, published: { where: fact.where, value: fact.value } });
    else if (!isDeepStrictEqual(fact.value, mine.value)) {
      differences.push({
        kind: "changed",
        key,
        published: { where: fact.where, value: fact.value },
        ours: { where: mine.where, value: mine.value },
      });
    }
  }
  for (const [key, fact] of ours) {
    if (!published.has(key)) differences.push({ kind: "added", key, ours: { where: fact.where, value: fact.value } });
  }
  // Keep only the top-most difference of a subtree that exists on one side only.
  const oneSided = differences.filter((d) => d.kind !== "changed").map((d) => d.key);
  return differences
    .filter((d) => !oneSided.some((ancestor) => isBelow(d.key, ancestor)))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
