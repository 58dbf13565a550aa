// Reads spec/departures.yaml, the machine-readable list of the places where
// our spec knowingly differs from the published one, and matches differences
// against it. Each departure names the differences it explains by kind and by
// a key pattern in which `*` stands for any run of characters.
import { readFile } from "node:fs/promises";
import YAML from "yaml";
import type { Difference, DifferenceKind } from "./diff.ts";
import { CompareInputError, isObject } from "./load.ts";

export interface Departure {
  id: string;
  bug?: string;
  documents: string[];
  summary: string;
  reason: string;
  evidence: string[];
  differences: { kind: DifferenceKind; at: string; pattern: RegExp }[];
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
    throw new CompareInputError(
      `${file}: cannot read the departures list (${(error as Error).message.split("\n")[0]})`,
    );
  }
  const list = isObject(parsed) ? parsed.departures : undefined;
  if (!Array.isArray(list)) throw new CompareInputError(`${file}: has no \`departures\` list`);
  return list.map((entry, i) => {
    const where = `${file}: departures[${i}]`;
    if (!isObject(entry)) throw new CompareInputError(`${where} is not an object`);
    const text = (name: string) => {
      const value = entry[name];
      if (typeof value !== "string" || value.trim() === "") throw new CompareInputError(`${where} needs \`${name}\``);
      return value.trim();
    };
    const strings = (name: string) => {
      const value = entry[name];
      if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === "string")) {
        throw new CompareInputError(`${where} needs \`${name}\` as a list of strings`);
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
          throw new CompareInputError(
            `${where}.differences[${j}] needs \`kind\` (added, removed or changed) and \`at\``,
          );
        }
        return { kind: d.kind as DifferenceKind, at: d.at, pattern: toPattern(d.at) };
      }),
    };
  });
}

/** The departure that explains a difference, if any. */
export function explain(
  difference: Difference,
  departures: readonly Departure[],
  document: string,
): Departure | undefined {
  return departures.find(
    (departure) =>
      departure.documents.includes(document) &&
      departure.differences.some((d) => d.kind === difference.kind && d.pattern.test(difference.key)),
  );
}
