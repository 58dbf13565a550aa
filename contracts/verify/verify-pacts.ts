// Verifies a pact file against a spec: Prism mocks the spec, each provider
// state becomes Prism's Prefer header (status and example), and one run of
// the verifier goes through every interaction, each reported on its own.
import { readFile } from "node:fs/promises";
import { isDeepStrictEqual } from "node:util";
import { operationFor } from "../../packages/contract-check/src/pact.ts";
import { strictRequestSpec, withoutDiscriminatorMappings } from "../../packages/contract-check/src/strict.ts";
import { PROVIDER, preferFor } from "../provider-states.ts";
import { INTERACTION_HEADER, startPrismGate } from "./prism-gate.ts";
import { startPrismMock } from "./prism-in-process.ts";
import { type InteractionResult, runVerifier } from "./verifier-run.ts";

export type { InteractionResult };

interface PactFile {
  interactions: {
    description: string;
    providerStates?: { name: string }[];
    request: { method: string; path: string; body?: { content?: unknown } };
  }[];
}

type Operation = { responses?: Record<string, { content?: Record<string, { examples?: object; example?: unknown }> }> };
type Spec = { paths?: Record<string, Record<string, Operation>> };

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
  const operation = operationFor<Operation>(spec, request.method, request.path);
  const named = Object.values(operation?.responses?.[code]?.content ?? {}).some(
    (media) => example in (media.examples ?? {}),
  );
  return named ? prefer : `code=${code}`;
}

export async function verifyPacts(options: { pactFile: string; specPath: string }): Promise<InteractionResult[]> {
  const pact = JSON.parse(await readFile(options.pactFile, "utf8")) as PactFile;
  const spec = JSON.parse(await readFile(options.specPath, "utf8")) as Spec;
  const prism = await startPrismMock(strictRequestSpec(structuredClone(spec)));
  const gate = await startPrismGate(prism.url, withoutDiscriminatorMappings(spec as Record<string, unknown>));
  try {
    // The verifier sets up each interaction's state, then sends its request: the state's handler remembers
    // the state, and the request filter finds the interaction it belongs to, asks Prism for the state's
    // answer, and tags the request so the gate files what it finds under that interaction.
    let currentState = "";
    const used = new Set<number>();
    const stateHandlers = Object.fromEntries(
      [...new Set(pact.interactions.map((i) => i.providerStates?.[0]?.name ?? ""))].map((state) => [
        state,
        async () => {
          currentState = state;
          return undefined;
        },
      ]),
    );
    const results = await runVerifier({
      pactFile: options.pactFile,
      provider: PROVIDER,
      providerBaseUrl: gate.url,
      interactions: pact.interactions,
      stateHandlers,
      requestFilter: (request, _response, next) => {
        const index = interactionOf(pact, currentState, request, used);
        used.add(index);
        const interaction = pact.interactions[index];
        const stated = preferFor(currentState);
        if (stated) request.headers.prefer = interaction ? preferIn(spec, stated, interaction.request) : stated;
        request.headers[INTERACTION_HEADER] = String(index);
        restoreFormBody(request);
        next();
      },
      reasonFor: (index) => gate.violationsOf(index).join("; ") || undefined,
    });
    // A state Prism cannot be told to answer fails its interaction, whatever Prism happened to answer.
    return results.map((result) =>
      preferFor(result.state)
        ? result
        : { ...result, passed: false, reason: `no Prefer mapping for state "${result.state}"` },
    );
  } finally {
    await gate.close();
    await prism.close();
  }
}

/**
 * Which interaction of the pact a request the verifier sends belongs to: one
 * of the current state with the same method and path, the one whose body is
 * the request's when several share them, and not one already sent.
 */
function interactionOf(
  pact: PactFile,
  state: string,
  request: { method?: string; path?: string; url?: string; body?: unknown },
  used: ReadonlySet<number>,
): number {
  const requestPath = (request.path ?? request.url ?? "").split("?")[0];
  const candidates = pact.interactions
    .map((interaction, index) => ({ interaction, index }))
    .filter(
      ({ interaction }) =>
        (interaction.providerStates?.[0]?.name ?? "") === state &&
        interaction.request.method.toUpperCase() === (request.method ?? "").toUpperCase() &&
        interaction.request.path === requestPath,
    );
  const fresh = candidates.filter(({ index }) => !used.has(index));
  const sameBody = fresh.find(({ interaction }) => isDeepStrictEqual(interaction.request.body?.content, request.body));
  return (sameBody ?? fresh[0] ?? candidates[0])?.index ?? -1;
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
