// Verifies a pact file against a spec: Prism mocks the spec, each provider
// state becomes Prism's Prefer header (status and example), and each
// interaction is verified on its own so the summary can say which failed.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Verifier } from "@pact-foundation/pact";
import { PROVIDER, preferFor } from "../provider-states.ts";
import { operationFor } from "./compare-pacts.ts";
import { startPrismGate } from "./prism-gate.ts";
import { startPrismMock } from "./prism-in-process.ts";
import { strictRequestSpec, withoutDiscriminatorMappings } from "./strict-spec.ts";

export interface InteractionResult {
  description: string;
  state: string;
  passed: boolean;
  reason?: string;
}

interface PactFile {
  interactions: {
    description: string;
    providerStates?: { name: string }[];
    request: { method: string; path: string };
  }[];
}

type Spec = {
  paths?: Record<
    string,
    Record<
      string,
      { responses?: Record<string, { content?: Record<string, { examples?: object; example?: unknown }> }> }
    >
  >;
};

/**
 * The Prefer header for one interaction against a spec: the state's status and
 * example name, or the status alone where this operation of this spec has no
 * example of that name for that status (another spec, such as the
 * publisher's, may name its examples otherwise or not at all; Prism then
 * answers from whatever example the status has).
 */
export function preferIn(spec: Spec, prefer: string, request: { method: string; path: string }): string {
  const code = /code=(\d+)/.exec(prefer)?.[1];
  const example = /example=([\w-]+)/.exec(prefer)?.[1];
  if (!code || !example) return prefer;
  const operation = operationFor(spec, request.method, request.path);
  const named = Object.values(operation?.responses?.[code]?.content ?? {}).some(
    (media) => example in (media.examples ?? {}),
  );
  return named ? prefer : `code=${code}`;
}

export async function verifyPacts(options: { pactFile: string; specPath: string }): Promise<InteractionResult[]> {
  const pact = JSON.parse(await readFile(options.pactFile, "utf8")) as PactFile;
  const spec = JSON.parse(await readFile(options.specPath, "utf8")) as Spec;
  const dir = await mkdtemp(path.join(tmpdir(), "nhs-app-verify-"));
  const prism = await startPrismMock(strictRequestSpec(structuredClone(spec)));
  const gate = await startPrismGate(prism.url, withoutDiscriminatorMappings(spec as Record<string, unknown>));
  const results: InteractionResult[] = [];
  try {
    for (const [index, interaction] of pact.interactions.entries()) {
      const state = interaction.providerStates?.[0]?.name ?? "";
      const stated = preferFor(state);
      if (!stated) {
        results.push({
          description: interaction.description,
          state,
          passed: false,
          reason: `no Prefer mapping for state "${state}"`,
        });
        continue;
      }
      const prefer = preferIn(spec, stated, interaction.request);
      const single = path.join(dir, `interaction-${index}.json`);
      await writeFile(single, JSON.stringify({ ...pact, interactions: [interaction] }));
      const violationsBefore = gate.violations.length;
      try {
        await new Verifier({
          provider: PROVIDER,
          providerBaseUrl: gate.url,
          pactUrls: [single],
          logLevel: "error",
          stateHandlers: { [state]: async () => undefined },
          requestFilter: (
            request: { headers: Record<string, unknown>; body?: unknown },
            _response: unknown,
            next: () => void,
          ) => {
            request.headers.prefer = prefer;
            restoreFormBody(request);
            next();
          },
        }).verifyProvider();
        results.push({ description: interaction.description, state, passed: true });
      } catch (error) {
        const violation = gate.violations.slice(violationsBefore).join("; ");
        results.push({
          description: interaction.description,
          state,
          passed: false,
          reason: violation || mismatchesOf(error),
        });
      }
    }
  } finally {
    await gate.close();
    await prism.close();
    await rm(dir, { recursive: true, force: true });
  }
  return results;
}

/**
 * pact-js's verification proxy parses a form body into an object and would
 * pass it on as JSON under the form's content type and length (pact 16.5);
 * put the form back, as the consumer sent it, before it is proxied.
 */
function restoreFormBody(request: { headers: Record<string, unknown>; body?: unknown }) {
  const type = String(request.headers["content-type"] ?? "");
  const body = request.body;
  if (!/^application\/x-www-form-urlencoded/i.test(type) || typeof body !== "object" || body === null) return;
  if (Buffer.isBuffer(body)) return;
  const fields = Object.entries(body as Record<string, unknown>).map(([k, v]): [string, string] => [k, String(v)]);
  request.body = Buffer.from(new URLSearchParams(fields).toString());
}

/** The mismatch sentences of a failed verification (its message is the verifier's JSON report). */
function mismatchesOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  try {
    const report = JSON.parse(message) as { errors?: { mismatch?: { mismatches?: { mismatch?: string }[] } }[] };
    const sentences = (report.errors ?? []).flatMap((e) => (e.mismatch?.mismatches ?? []).map((m) => m.mismatch ?? ""));
    if (sentences.length > 0) return sentences.join("; ");
  } catch {
    // not JSON: fall through
  }
  return message.split("\n")[0]?.slice(0, 300) ?? message;
}
