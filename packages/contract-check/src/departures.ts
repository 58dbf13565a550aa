// Reads spec/departures.yaml, the machine-readable list of the places where
// our spec knowingly differs from the published one, and matches differences
// against it. Each departure names the differences it explains by kind and by
// a key pattern in which `*` stands for any run of characters; a `changed` or
// `removed` one also pins the published value it was written against, so that
// a publisher who changes that value again is noticed, not explained away.
import { readFile } from "node:fs/promises";
import { isDeepStrictEqual } from "node:util";
import YAML from "yaml";
import type { Difference, DifferenceKind } from "./diff.js";
import { ContractInputError, isObject } from "./load.js";

export interface Departure {
  id: string;
  bug?: string;
  documents: string[];
  summary: string;
  reason: string;
  evidence: string[];
  differences: DepartureDifference[];
}

export interface DepartureDifference {
  kind: DifferenceKind;
  at: string;
  pattern: RegExp;
  /** For `changed` and `removed`: the published value this departure answers. */
  published?: unknown;
}

const KINDS: readonly DifferenceKind[] = ["added", "removed", "changed"];

const toPattern = (at: string) =>
  new RegExp(
    `^${at
      .split("*")
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );

export async function loadDepartures(file: string): Promise<Departure[]> {
  let parsed: unknown;
  try {
    parsed = YAML.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new ContractInputError(
      `${file}: cannot read the departures list (${(error as Error).message.split("\n")[0]})`,
    );
  }
  const list = isObject(parsed) ? parsed.departures : undefined;
  if (!Array.isArray(list)) throw new ContractInputError(`${file}: has no \`departures\` list`);
  return list.map((entry, i) => {
    const where = `${file}: departures[${i}]`;
    if (!isObject(entry)) throw new ContractInputError(`${where} is not an object`);
    const text = (name: string) => {
      const value = entry[name];
      if (typeof value !== "string" || value.trim() === "") throw new ContractInputError(`${where} needs \`${name}\``);
      return value.trim();
    };
    const strings = (name: string) => {
      const value = entry[name];
      if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === "string")) {
        throw new ContractInputError(`${where} needs \`${name}\` as a list of strings`);
      }
      return value as string[];
    };
    const differences = Array.isArray(entry.differences) ? entry.differences : [];
    return {
      id: text("id"),
      ...(typeof entry.bug === "string" ? { bug: entry.bug } : {}),
      documents: strings("documents"),
      summary: text("summary"),
      reason: text("reason"),
      evidence: strings("evidence"),
      differences: differences.map((d, j) => {
        if (!isObject(d) || typeof d.at !== "string" || !KINDS.includes(d.kind as DifferenceKind)) {
          throw new ContractInputError(
            `${where}.differences[${j}] needs \`kind\` (added, removed or changed) and \`at\``,
          );
        }
        const kind = d.kind as DifferenceKind;
        if (kind !== "added" && !("published" in d)) {
          throw new ContractInputError(
            `${where}.differences[${j}] (${kind}) needs \`published\`: the published value it was written against`,
          );
        }
        return { kind, at: d.at, pattern: toPattern(d.at), ...("published" in d ? { published: d.published } : {}) };
      }),
    };
  });
}

const covers = (entry: DepartureDifference, difference: Difference) =>
  entry.kind === difference.kind && entry.pattern.test(difference.key);

const pinnedValueHolds = (entry: DepartureDifference, difference: Difference) =>
  !("published" in entry) || isDeepStrictEqual(entry.published, difference.published?.value);

/**
 * The departure that explains a difference, if any; otherwise, where a
 * departure covers the place but was written for another published value,
 * that departure as `outdated`, so the report can say what changed.
 */
export function explain(
  difference: Difference,
  departures: readonly Departure[],
  document: string,
): { departure?: Departure; outdated?: { departure: Departure; expected: unknown } } {
  const mine = departures.filter((departure) => departure.documents.includes(document));
  const departure = mine.find((d) =>
    d.differences.some((entry) => covers(entry, difference) && pinnedValueHolds(entry, difference)),
  );
  if (departure) return { departure };
  for (const d of mine) {
    const entry = d.differences.find((e) => covers(e, difference));
    if (entry) return { outdated: { departure: d, expected: entry.published } };
  }
  return {};
}
