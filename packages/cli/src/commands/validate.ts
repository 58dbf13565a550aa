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

/** The issues of a body, and the kind it was judged as (none when it is not JSON and no --as was given). */
function judge(
  bytes: Buffer,
  file: string,
  as: BodyKind | undefined,
): { kind?: BodyKind; issues: readonly IssueLike[] } {
  const parsed = parseJson(bytes);
  const kind = as ?? (parsed.ok ? detectKind(parsed.value) : undefined);
  if (parsed.ok) {
    if (!kind) {
      throw usageError(
        `cannot tell what ${file} is (${resourceTypeOf(parsed.value)}): give --as ${BODY_KINDS.join("|")}`,
      );
    }
    return { kind, issues: bodyIssues(kind, parsed.value, bytes) };
  }
  // The callbacks' parsers read raw bytes themselves: what is not JSON or not UTF-8 gets their own words.
  if (kind === "receipt" || kind === "reply") return { kind, issues: bodyIssues(kind, undefined, bytes) };
  return { ...(kind ? { kind } : {}), issues: [{ diagnostics: `The file ${parsed.reason}` }] };
}

async function validate(file: string, flags: ValidateFlags) {
  const { kind, issues } = judge(await readBytes(file, "the file"), file, flags.as);
  const what = kind ? KIND_NAMES[kind] : "JSON body";
  if (flags.json) {
    const result = { kind: kind ?? null, valid: issues.length === 0, issues: issues.map(issueJson) };
    await out(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    await out(issues.length === 0 ? `valid ${what}\n` : `${issues.map(issueLine).join("\n")}\n`);
  }
  if (issues.length === 0) return;
  if (flags.json) throw silentFailure();
  throw failure(`not a valid ${what} (${issues.length === 1 ? "1 issue" : `${issues.length} issues`})`);
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
