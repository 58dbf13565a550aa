// Compares a published OpenAPI document with the matching one of ours and
// sorts every difference into explained (by a departure) or unexplained.
import path from "node:path";
import { type Departure, explain, loadDepartures } from "../../packages/contract-check/src/departures.ts";
import { type Difference, diffFacts } from "../../packages/contract-check/src/diff.ts";
import { collectFacts } from "../../packages/contract-check/src/facts.ts";
import { ContractInputError, type JsonObject, loadOpenApi } from "../../packages/contract-check/src/load.ts";
import { identify } from "../../packages/contract-check/src/targets.ts";
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
  // The same matching the contract check uses: the document sharing the most operationIds (or, failing those, routes).
  const loaded = new Map<string, JsonObject>();
  for (const doc of candidates) loaded.set(doc.alias, await loadOpenApi(path.resolve(repoRoot, doc.source)));
  const alias = identify(published, loaded);
  const doc = candidates.find((d) => d.alias === alias);
  const best = doc ? { doc, loaded: loaded.get(doc.alias) as JsonObject } : undefined;
  if (!best) {
    throw new ContractInputError(
      "none of our documents shares an operation with it; name one with --ours " +
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
