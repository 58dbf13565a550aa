// The static half of the harness: each interaction of the pact judged
// against the spec without running anything, by the same check other teams
// run in their CI (@nhs-app-api/contract-check, from its sources here):
// requests against what each operation accepts (strictly: no undeclared
// field, and a media type it lists), answers against what it may answer.
import { judgeInteractions } from "../../packages/contract-check/src/interactions.ts";
import { loadOpenApi } from "../../packages/contract-check/src/load.ts";
import { readPact } from "../../packages/contract-check/src/pact.ts";

export interface ComparisonResult {
  success: boolean;
  /** One line per fault: the interaction, the field and what is wrong. */
  errors: string[];
}

export async function comparePactWithSpec(options: { pactFile: string; specPath: string }): Promise<ComparisonResult> {
  const verdicts = await judgeInteractions(await readPact(options.pactFile), await loadOpenApi(options.specPath));
  const errors = verdicts.flatMap((verdict) =>
    verdict.faults.map((fault) => `${verdict.description}: ${fault.field}: ${fault.message}`),
  );
  return { success: errors.length === 0, errors };
}
