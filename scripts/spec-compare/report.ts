// Prints a comparison for a maintainer: every difference with its JSON path
// on both sides, the departure that explains it, and a one-line verdict.
import type { Comparison, ExplainedDifference } from "./compare.ts";

const show = (value: unknown) => (typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? ""));

function describe(d: ExplainedDifference): string[] {
  const lines = [`${d.departure ? "explained  " : "UNEXPLAINED"} ${d.kind.padEnd(7)} ${d.key}`];
  if (d.published) lines.push(`    published: ${show(d.published.value)}  at ${d.published.where}`);
  else lines.push("    published: (absent)");
  if (d.ours) lines.push(`    ours:      ${show(d.ours.value)}  at ${d.ours.where}`);
  else lines.push("    ours:      (absent)");
  if (d.departure)
    lines.push(
      `    departure: ${d.departure.id}${d.departure.bug ? ` (${d.departure.bug})` : ""}: ${d.departure.summary}`,
    );
  if (d.outdated)
    lines.push(
      `    departure ${d.outdated.departure.id} was written for the published value ${show(d.outdated.expected)}: ` +
        "the publisher changed it again; re-check the departure",
    );
  return lines;
}

export function formatComparison(c: Comparison): string {
  const lines = [`Comparing ${c.publishedLocation} with ${c.ours.source} (${c.ours.alias})`, ""];
  for (const d of c.differences) lines.push(...describe(d));
  const explained = c.differences.length - c.unexplained;
  const departures = new Set(c.differences.flatMap((d) => (d.departure ? [d.departure.id] : []))).size;
  if (c.unusedDepartures.length > 0) {
    lines.push("", "Departures that matched nothing here (has the publisher fixed them?):");
    for (const d of c.unusedDepartures) lines.push(`  - ${d.id}: ${d.summary}`);
  }
  lines.push(
    "",
    `${c.differences.length} differences: ${explained} explained by ${departures} departures, ${c.unexplained} unexplained.`,
  );
  if (c.unexplained > 0) {
    lines.push("Each unexplained difference is either a mistake in spec/ or a new departure for spec/departures.yaml.");
  }
  return lines.join("\n");
}
