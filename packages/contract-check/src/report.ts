// The check as a reader sees it in a terminal or a CI log: a line per
// interaction, and for a broken one a line per fault, each naming the
// document, the interaction and the field; then what the release changes
// that no departure explains; then the count.
import type { ContractCheck, ReleaseDifference } from "./check.js";

const show = (value: unknown) => JSON.stringify(value) ?? "";

/** An enum as the comparison keeps it (its values as sorted JSON texts), as the values' own texts. */
const enumValues = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every((v) => typeof v === "string")
    ? value.map((v: string) => {
        try {
          const parsed: unknown = JSON.parse(v);
          return typeof parsed === "string" ? parsed : v;
        } catch {
          return v;
        }
      })
    : undefined;

/** The facts that stand for a node of the contract: their value names what the node is. */
const NODES = new Set(["operation", "parameter", "schema", "request body", "response", "header", "media type"]);
const REQUIRED = /^(.*)\.required\[("(?:[^"\\]|\\.)*")\]$/;

/** One difference, worded from the release's point of view. */
export function describeDifference(d: ReleaseDifference): string {
  const required = REQUIRED.exec(d.key);
  const name = required ? (JSON.parse(required[2] as string) as string) : undefined;
  switch (d.change) {
    case "adds": {
      if (required) return `the release requires ${name} in ${required[1]}`;
      const value = d.release?.value;
      return typeof value === "string" && NODES.has(value)
        ? `the release adds the ${value} ${d.key}`
        : `the release adds ${d.key}: ${show(value)}`;
    }
    case "removes": {
      if (required) return `the release no longer requires ${name} in ${required[1]}`;
      const value = d.spec?.value;
      return typeof value === "string" && NODES.has(value)
        ? `the release removes the ${value} ${d.key}`
        : `the release removes ${d.key} (this project's contract has ${show(value)})`;
    }
    case "changes": {
      const before = enumValues(d.spec?.value);
      const after = enumValues(d.release?.value);
      if (d.key.endsWith(".enum") && before && after) {
        const dropped = before.filter((v) => !after.includes(v));
        const added = after.filter((v) => !before.includes(v));
        const parts = [
          ...(dropped.length > 0 ? [`drops ${dropped.join(", ")}`] : []),
          ...(added.length > 0 ? [`adds ${added.join(", ")}`] : []),
        ];
        return `the release changes ${d.key}: ${parts.join("; ")}`;
      }
      return `the release changes ${d.key} from ${show(d.spec?.value)} to ${show(d.release?.value)}`;
    }
  }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function formatCheck(check: ContractCheck): string {
  const lines = [
    `Checking the committed pacts against ${check.against}`,
    `(where ${check.departures} explains a difference from this project's contract, our value is put back first; the rest is judged as the release has it)`,
  ];
  for (const pact of check.pacts) {
    lines.push("");
    if (!pact.checked) {
      lines.push(
        `NOT CHECKED ${pact.document}: ${plural(pact.interactions.length, "interaction")} of ${pact.pact}: ${pact.reason}`,
      );
      continue;
    }
    lines.push(`${pact.title}: ${pact.pact} against ${pact.target}`);
    for (const interaction of pact.interactions) {
      if (interaction.passed) {
        lines.push(`ok     ${pact.document}: ${interaction.description}`);
        continue;
      }
      for (const fault of interaction.faults) {
        lines.push(`FAILED ${pact.document}: ${interaction.description}: ${fault.field}: ${fault.message}`);
        if (fault.rule) lines.push(`         (the rule: ${fault.rule})`);
      }
    }
  }
  for (const { document, location } of check.ignored) {
    lines.push("", `Also found another ${document} document, not checked: ${location}`);
  }
  for (const { location, reason } of check.skipped) lines.push("", `Passed over ${location}: ${reason}`);
  if (check.differences.length > 0) {
    lines.push(
      "",
      "Where the release differs from this project's contract (spec/ in its repository) and no departure explains it:",
    );
    for (const d of check.differences) {
      const note = d.outdated ? ` (departure ${d.outdated} was written for another published value: re-check it)` : "";
      lines.push(`  ${d.document}: ${describeDifference(d)}${note}`);
    }
  }
  const { checked, kept, unchecked } = check.counts;
  lines.push(
    "",
    `${kept} of ${plural(checked, "interaction")} checked keep that contract` +
      (unchecked > 0 ? `; ${plural(unchecked, "interaction")} not checked (see NOT CHECKED above).` : "."),
  );
  return lines.join("\n");
}
