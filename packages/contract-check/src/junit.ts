// The check as JUnit XML, the report format CI systems (GitHub Actions
// reporters, GitLab, Jenkins, Azure) read: a test suite per pact and
// document, a test case per interaction, a failure per broken interaction
// naming each field at fault, and a skipped case for each interaction that
// could not be checked. Small enough to write here rather than pull in an XML
// builder: the only care needed is escaping.
import type { ContractCheck } from "./check.js";
import { describeDifference } from "./report.js";

/** Text as XML 1.0 allows it in an attribute or element: markup escaped, forbidden control characters dropped. */
function escapeXml(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML 1.0 forbids
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&apos;")
  );
}

const attributes = (values: Record<string, string | number>) =>
  Object.entries(values)
    .map(([name, value]) => ` ${name}="${escapeXml(String(value))}"`)
    .join("");

export function toJUnit(check: ContractCheck): string {
  const { checked, broken, unchecked } = check.counts;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: "nhs-app contracts", tests: checked + unchecked, failures: broken, errors: 0, skipped: unchecked })}>`,
  ];
  for (const pact of check.pacts) {
    const failures = pact.checked ? pact.interactions.filter((i) => !i.passed).length : 0;
    lines.push(
      `  <testsuite${attributes({
        name: `${pact.title} (${pact.pact})`,
        tests: pact.interactions.length,
        failures,
        errors: 0,
        skipped: pact.checked ? 0 : pact.interactions.length,
      })}>`,
      "    <properties>",
      `      <property${attributes({ name: "against", value: check.against })}/>`,
      `      <property${attributes({ name: "target", value: pact.target ?? "" })}/>`,
      `      <property${attributes({ name: "departures", value: check.departures })}/>`,
      "    </properties>",
    );
    for (const interaction of pact.interactions) {
      const open = `    <testcase${attributes({ classname: `${pact.provider}.${pact.document}`, name: interaction.description })}`;
      if (!pact.checked) {
        lines.push(
          `${open}>`,
          `      <skipped${attributes({ message: pact.reason ?? "not checked" })}/>`,
          "    </testcase>",
        );
      } else if (interaction.passed) {
        lines.push(`${open}/>`);
      } else {
        const [first] = interaction.faults;
        const detail = interaction.faults
          .map((f) => `${f.field}: ${f.message}${f.rule ? ` (the rule: ${f.rule})` : ""}`)
          .join("\n");
        lines.push(
          `${open}>`,
          `      <failure${attributes({
            message: first ? `${first.field}: ${first.message}` : "broken",
            type: first?.field ?? "contract",
          })}>${escapeXml(detail)}</failure>`,
          "    </testcase>",
        );
      }
    }
    const differences = check.differences.filter((d) => d.document === pact.document);
    if (differences.length > 0) {
      const text = differences.map(describeDifference).join("\n");
      lines.push(`    <system-out>${escapeXml(text)}</system-out>`);
    }
    lines.push("  </testsuite>");
  }
  lines.push("</testsuites>", "");
  return lines.join("\n");
}
