// `nhs-app validate <file> [--as <kind>]`: judges any request or callback
// body as the project's packages judge it, and lists each issue with its
// path. The kind comes from the body itself unless --as says otherwise.
import { type Command, Option } from "commander";
import { BODY_KINDS, type BodyKind, bodyIssues, detectKind, KIND_NAMES } from "../lib/body-kinds.js";
import { failure, silentFailure, usageError } from "../lib/errors.js";
import { parseJson, readBytes } from "../lib/files.js";
import { type IssueLike, issueJson, issueLine } from "../lib/issues.js";
import { out } from "../lib/output.js";

interface ValidateFlags {
  as?: BodyKind;
  json?: boolean;
}

/** The resourceType, for the message when the kind cannot be told: only a short string, or what it is instead. */
function resourceTypeOf(value: unknown): string {
  const type =
    typeof value === "object" && value !== null ? (value as { resourceType?: unknown }).resourceType : undefined;
  return typeof type === "string" && /^[A-Za-z]{1,64}$/.test(type) ? `resourceType ${type}` : "no known resourceType";
}

async function validate(file: string, flags: ValidateFlags) {
  const bytes = await readBytes(file, "the file");
  const parsed = parseJson(bytes);
  const kind = flags.as ?? (parsed.ok ? detectKind(parsed.value) : undefined);
  if (!kind && parsed.ok) {
    throw usageError(
      `cannot tell what ${file} is (${resourceTypeOf(parsed.value)}): give --as ${BODY_KINDS.join("|")}`,
    );
  }
  // Callback parsers read the raw bytes themselves (not JSON, not UTF-8 are their verdicts too).
  const issues: readonly IssueLike[] =
    kind === undefined || (!parsed.ok && (kind === "in-app" || kind === "push"))
      ? [{ diagnostics: `The file ${parsed.ok ? "" : parsed.reason}`.trim() }]
      : bodyIssues(kind, parsed.ok ? parsed.value : undefined, bytes);
  if (flags.json) {
    const result = { kind: kind ?? null, valid: issues.length === 0, issues: issues.map(issueJson) };
    await out(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    await out(
      issues.length === 0 ? `valid ${KIND_NAMES[kind ?? "in-app"]}\n` : `${issues.map(issueLine).join("\n")}\n`,
    );
  }
  if (issues.length === 0) return;
  if (flags.json) throw silentFailure();
  const count = issues.length === 1 ? "1 issue" : `${issues.length} issues`;
  throw failure(kind ? `not a valid ${KIND_NAMES[kind]} (${count})` : "not JSON");
}

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("check a request or callback body against the contract; exit 1 when it is invalid")
    .argument("<file>", "the JSON body")
    .addOption(
      new Option("--as <kind>", "the kind of body, when it cannot be told from the body itself").choices(BODY_KINDS),
    )
    .option("--json", "print the verdict as JSON")
    .addHelpText(
      "after",
      `
Kinds: in-app (a CommunicationRequest with contentString), push (with contentReference),
receipt (a Task), reply (a CommunicationRequest containing a QuestionnaireResponse).`,
    )
    .action(validate);
}
