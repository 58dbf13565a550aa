// One run of Pact's verifier over a whole pact, and each interaction's result
// read from its report. One run per pact, not one per interaction: a run
// costs a verifier start and a state-change proxy, and on a busy machine the
// many small runs were both slow and where the state-change call timed out.
import { Verifier } from "@pact-foundation/pact";

export interface InteractionResult {
  description: string;
  state: string;
  passed: boolean;
  reason?: string;
}

interface Report {
  errors?: { interaction?: string; mismatch?: { mismatches?: { mismatch?: string }[]; message?: string } }[];
  interactionResults?: { description: string; result: string }[];
}

/** The verifier's JSON report, from its success value or from the message of its failure. */
function reportOf(value: unknown): Report | undefined {
  const text = value instanceof Error ? value.message : typeof value === "string" ? value : undefined;
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Report;
  } catch {
    return undefined;
  }
}

/** Generous: under load the state-change call and the provider's answer may each wait for a busy CPU. */
const TIMEOUT_MS = 120_000;

export interface VerifierRun {
  pactFile: string;
  provider: string;
  providerBaseUrl: string;
  interactions: { description: string; providerStates?: { name: string }[] }[];
  stateHandlers?: Record<string, () => Promise<undefined>>;
  requestFilter?: (
    request: { headers: Record<string, unknown>; body?: unknown; method?: string; path?: string; url?: string },
    response: unknown,
    next: () => void,
  ) => void;
  /** Why an interaction failed, in the caller's words, where it knows better than the verifier (a gate's findings). */
  reasonFor?: (index: number) => string | undefined;
}

export async function runVerifier(run: VerifierRun): Promise<InteractionResult[]> {
  let outcome: unknown;
  let failed = false;
  try {
    outcome = await new Verifier({
      provider: run.provider,
      providerBaseUrl: run.providerBaseUrl,
      pactUrls: [run.pactFile],
      logLevel: "error",
      timeout: TIMEOUT_MS,
      ...(run.stateHandlers ? { stateHandlers: run.stateHandlers } : {}),
      ...(run.requestFilter ? { requestFilter: run.requestFilter as never } : {}),
    }).verifyProvider();
  } catch (error) {
    outcome = error;
    failed = true;
  }
  const report = reportOf(outcome);
  const verdicts = new Map((report?.interactionResults ?? []).map((r) => [r.description, r.result === "OK"]));
  const mismatches = new Map<string, string>();
  for (const error of report?.errors ?? []) {
    // "Verifying a pact between <consumer> and <provider> - <description>"
    const description = error.interaction?.replace(/^Verifying a pact between .+? and .+? - /, "") ?? "";
    const sentences = (error.mismatch?.mismatches ?? []).map((m) => m.mismatch ?? "").filter(Boolean);
    mismatches.set(description, sentences.join("; ") || error.mismatch?.message || "failed");
  }
  return run.interactions.map((interaction, index) => {
    const state = interaction.providerStates?.[0]?.name ?? "";
    // No report at all (the verifier itself failed): every interaction fails, with the verifier's words.
    const passed = report ? verdicts.get(interaction.description) === true : !failed;
    if (passed) return { description: interaction.description, state, passed };
    const reason =
      run.reasonFor?.(index) ||
      mismatches.get(interaction.description) ||
      (report
        ? "not verified"
        : `the verifier failed: ${String(outcome instanceof Error ? outcome.message : outcome)
            .split("\n")[0]
            ?.slice(0, 300)}`);
    return { description: interaction.description, state, passed: false, reason };
  });
}
