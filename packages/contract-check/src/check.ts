// The contract check: the committed pacts (what @nhs-app-api/client sends and
// reads, and what the NHS App sends a supplier's callback endpoint) against
// another version of the contract, typically a new release of NHS England's
// files. Wherever our departures list explains a difference between that
// version and ours, the place takes our value first (the publisher's known
// mistakes must not fail the check); everything else is judged as the
// release has it.
import path from "node:path";
import { type Departure, loadDepartures } from "./departures.js";
import type { Difference } from "./diff.js";
import {
  bundledDocument,
  type ContractDocument,
  contractDocuments,
  shippedDepartures,
  shippedPactsDir,
} from "./documents.js";
import { type InteractionVerdict, judgeInteractions } from "./interactions.js";
import { ContractInputError, type JsonObject } from "./load.js";
import { operationFor, type PactFile, type PactInteraction, readPact } from "./pact.js";
import { applyDepartures } from "./patch.js";
import { droppedPromises } from "./promises.js";
import { findTargets, type Target } from "./targets.js";

export interface CheckOptions {
  /** The other version: a folder (laid out as NHS England's repository, or any), a file or a URL. */
  against: string;
  /** The departures to allow; by default the list this package was built with. */
  departures?: string;
  /** The folder of the pacts; by default the ones this package carries. */
  pactsDir?: string;
  /** Our version of each document; by default the bundles of @nhs-app-api/types. */
  ours?: (alias: string) => Promise<JsonObject>;
}

/** The interactions of one pact that one document must keep, and how each fared. */
export interface PactCheck {
  /** The pact's file name. */
  pact: string;
  consumer: string;
  provider: string;
  /** Our name of the document (nhs-app, oauth-token, realtime-receipts, realtime-replies). */
  document: string;
  title: string;
  /** Where the document checked was read from; absent when none was found. */
  target?: string;
  checked: boolean;
  /** Why the interactions were not checked. */
  reason?: string;
  /** Each interaction's verdict, in the pact's order (not checked: no faults, `passed` false). */
  interactions: InteractionVerdict[];
}

/** A difference between the release and ours that no departure explains, from the release's point of view. */
export interface ReleaseDifference {
  document: string;
  /** What the release does to the contract as spec/ states it. */
  change: "adds" | "removes" | "changes";
  /** The comparison's key for the place (`paths["/a"].get.parameters[query:page]`). */
  key: string;
  release?: { where: string; value: unknown };
  spec?: { where: string; value: unknown };
  /** A departure that covers this place but was written for another published value: it needs re-checking. */
  outdated?: string;
}

export interface ContractCheck {
  against: string;
  departures: string;
  pacts: PactCheck[];
  differences: ReleaseDifference[];
  /** Documents found for one of ours that another document was already checked for. */
  ignored: { document: string; location: string }[];
  /** Files of a folder passed over, and why. */
  skipped: { location: string; reason: string }[];
  counts: { checked: number; kept: number; broken: number; unchecked: number };
  /** Every interaction checked keeps the contract, and there was at least one. */
  kept: boolean;
}

const CHANGE = { removed: "adds", added: "removes", changed: "changes" } as const;

/** A difference of the comparison (ours against the release) turned round to the release's point of view. */
const fromRelease = (document: string, d: Difference & { outdated?: string }): ReleaseDifference => ({
  document,
  change: CHANGE[d.kind],
  key: d.key,
  ...(d.published ? { release: d.published } : {}),
  ...(d.ours ? { spec: d.ours } : {}),
  ...(d.outdated ? { outdated: d.outdated } : {}),
});

/** Which of the documents sharing a pact each of its interactions speaks to, by our documents' operations. */
function assign(pact: PactFile, sharing: readonly ContractDocument[], ours: ReadonlyMap<string, JsonObject>) {
  const assigned = new Map<string, number[]>(sharing.map((d) => [d.alias, []]));
  pact.interactions.forEach((interaction, index) => {
    const owner =
      sharing.find((d) => {
        const mine = ours.get(d.alias);
        return mine && operationFor(mine, interaction.request.method, interaction.request.path);
      }) ?? sharing[0];
    if (owner) assigned.get(owner.alias)?.push(index);
  });
  return assigned;
}

function required(value: string | undefined, what: string): string {
  if (!value) {
    throw new ContractInputError(`no ${what} given, and this copy of the package carries none (is it built?)`);
  }
  return value;
}

function whyNotFound(d: ContractDocument, against: string, folder: boolean, found: Map<string, Target>): string {
  if (!folder) {
    const only = [...found.values()][0];
    return `${against} is one document (${only ? contractDocuments.find((c) => c.alias === only.alias)?.title : "?"}), not the ${d.title}`;
  }
  const where = d.published ? `; NHS England keeps it at ${d.published}` : "; NHS England does not publish it";
  return `${against} holds no document of the ${d.title} (none of its OpenAPI documents shares an operation with ours${where})`;
}

export async function checkContract(options: CheckOptions): Promise<ContractCheck> {
  const departuresFile = required(options.departures ?? shippedDepartures(), "departures list");
  const pactsDir = required(options.pactsDir ?? shippedPactsDir(), "folder of pacts");
  const loadOurs = options.ours ?? bundledDocument;
  const departures: Departure[] = await loadDepartures(departuresFile);
  const ours = new Map<string, JsonObject>();
  for (const d of contractDocuments) ours.set(d.alias, await loadOurs(d.alias));
  const targets = await findTargets(
    options.against,
    ours,
    contractDocuments.flatMap((d) => (d.published ? [d.published] : [])),
  );

  const pacts = new Map<string, PactFile>();
  for (const file of new Set(contractDocuments.map((d) => d.pact))) {
    pacts.set(file, await readPact(path.join(pactsDir, file)));
  }
  const checks: PactCheck[] = [];
  const differences: ReleaseDifference[] = [];
  for (const d of contractDocuments) {
    const pact = pacts.get(d.pact) as PactFile;
    const sharing = contractDocuments.filter((other) => other.pact === d.pact);
    const mine = assign(pact, sharing, ours).get(d.alias) ?? [];
    const target = targets.found.get(d.alias);
    const base = {
      pact: d.pact,
      consumer: pact.consumer.name,
      provider: pact.provider.name,
      document: d.alias,
      title: d.title,
    };
    if (!target) {
      checks.push({
        ...base,
        checked: false,
        reason: whyNotFound(d, options.against, targets.folder, targets.found),
        interactions: mine.map((index) => ({
          description: pact.interactions[index]?.description ?? `interaction ${index}`,
          passed: false,
          faults: [],
        })),
      });
      continue;
    }
    const patched = applyDepartures(target.document, ours.get(d.alias) as JsonObject, d.alias, departures);
    differences.push(...patched.unexplained.map((u) => fromRelease(d.alias, u)));
    const verdicts = await judgeInteractions(pact, patched.document, mine).catch((error: unknown) => {
      throw error instanceof ContractInputError
        ? new ContractInputError(`${target.location}: ${error.message}`)
        : error;
    });
    const dropped = droppedPromises(
      mine.map((index) => pact.interactions[index] as PactInteraction),
      patched.unexplained,
      patched.document,
      d.reads,
    );
    checks.push({
      ...base,
      target: target.location,
      checked: true,
      interactions: verdicts.map((verdict, position) => {
        const faults = [...verdict.faults, ...(dropped.get(position) ?? [])];
        return { ...verdict, faults, passed: faults.length === 0 };
      }),
    });
  }

  const checked = checks.filter((c) => c.checked).flatMap((c) => c.interactions);
  const kept = checked.filter((i) => i.passed).length;
  const unchecked = checks.filter((c) => !c.checked).reduce((n, c) => n + c.interactions.length, 0);
  return {
    against: options.against,
    departures: departuresFile,
    pacts: checks,
    differences,
    ignored: targets.ignored.map((t) => ({ document: t.alias, location: t.location })),
    skipped: targets.skipped,
    counts: { checked: checked.length, kept, broken: checked.length - kept, unchecked },
    kept: checked.length > 0 && kept === checked.length,
  };
}
