// Compares a published OpenAPI document with the matching one of ours and
// sorts every difference into explained (by a departure) or unexplained.
import path from "node:path";
import { type Departure, explain, loadDepartures } from "../../packages/contract-check/src/departures.ts";
import { type Difference, diffFacts } from "../../packages/contract-check/src/diff.ts";
import { collectFacts } from "../../packages/contract-check/src/facts.ts";
import { ContractInputError, isObject, type JsonObject, loadOpenApi } from "../../packages/contract-check/src/load.ts";
import { documents, repoRoot, type SpecDocument } from "../lib/documents.ts";

export interface ExplainedDifference extends Difference {
  departure?: Departure;
  /** A departure covers this place, but was written for another published value: unexplained, and why. */
  outdated?: { departure: Departure; expected: unknown };
}

export interface Comparison {
  publishedLocation: string;
  ours: SpecDocument;
  differences: ExplainedDifference[];
  unexplained: number;
  /** Departures for this document that matched nothing: perhaps the publisher fixed them. */
  unusedDepartures: Departure[];
}

export interface CompareOptions {
  /** Alias of our document (see scripts/lib/documents.ts); found by operationId when absent. */
  ours?: string;
  departuresFile?: string;
  /** Our documents, for tests that compare fixtures; defaults to spec/. */
  candidates?: readonly SpecDocument[];
}

const operationIds = (doc: JsonObject) => {
  const ids = new Set<string>();
  for (const item of Object.values(isObject(doc.paths) ? doc.paths : {})) {
    if (!isObject(item)) continue;
    for (const op of Object.values(item))
      if (isObject(op) && typeof op.operationId === "string") ids.add(op.operationId);
  }
  return ids;
};

async function pickOurs(published: JsonObject, options: CompareOptions) {
  const candidates = options.candidates ?? documents;
  if (options.ours) {
    const chosen = candidates.find((d) => d.alias === options.ours);
    if (!chosen) {
      throw new ContractInputError(
        `--ours ${options.ours}: no such document (choose from ${candidates.map((d) => d.alias).join(", ")})`,
      );
    }
    return { doc: chosen, loaded: await loadOpenApi(path.resolve(repoRoot, chosen.source)) };
  }
  const wanted = operationIds(published);
  let best: { doc: SpecDocument; loaded: JsonObject; score: number } | undefined;
  for (const doc of candidates) {
    const loaded = await loadOpenApi(path.resolve(repoRoot, doc.source));
    const score = [...operationIds(loaded)].filter((id) => wanted.has(id)).length;
    if (score > 0 && (!best || score > best.score)) best = { doc, loaded, score };
  }
  if (!best) {
    throw new ContractInputError(
      "none of our documents shares an operationId with it; name one with --ours " +
        `(${candidates.map((d) => d.alias).join(", ")})`,
    );
  }
  return best;
}

export async function compareWithPublished(publishedLocation: string, options: CompareOptions = {}) {
  const published = await loadOpenApi(publishedLocation);
  const { doc, loaded } = await pickOurs(published, options);
  const departures = await loadDepartures(options.departuresFile ?? path.join(repoRoot, "spec/departures.yaml"));
  const differences: ExplainedDifference[] = diffFacts(collectFacts(published), collectFacts(loaded)).map((d) => {
    const { departure, outdated } = explain(d, departures, doc.alias);
    return departure ? { ...d, departure } : outdated ? { ...d, outdated } : d;
  });
  const used = new Set(differences.map((d) => d.departure?.id));
  const comparison: Comparison = {
    publishedLocation,
    ours: doc,
    differences,
    unexplained: differences.filter((d) => !d.departure).length,
    unusedDepartures: departures.filter(
      (d) => d.documents.includes(doc.alias) && d.differences.length > 0 && !used.has(d.id),
    ),
  };
  return comparison;
}
