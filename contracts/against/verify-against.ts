// `pnpm contracts --against <path-or-URL> [--departures <file>]`: the
// committed pacts, verified against another version of the contract (a new
// release of NHS England's files, say) with our departures applied. The API
// pacts go through the same harness as spec/ (Prism and the static
// comparison); the callbacks pact's requests are checked against the
// callback documents' request schemas: valid where the pact expects 202,
// refused where it expects 400. One line per interaction, naming the field at
// fault.
import { existsSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import formatsModule from "ajv-formats";
import { documents, repoRoot, type SpecDocument } from "../../scripts/lib/documents.ts";
import { loadDepartures } from "../../scripts/spec-compare/departures.ts";
import { CompareInputError, isObject, type JsonObject, loadOpenApi } from "../../scripts/spec-compare/load.ts";
import { type HarnessJob, type HarnessResult, runHarnesses } from "../verify/harness.ts";
import { withoutDiscriminatorMappings } from "../verify/strict-spec.ts";
import { applyDepartures } from "./patch.ts";

const addFormats = ((formatsModule as unknown as { default?: typeof formatsModule }).default ??
  formatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

/** Where the publisher keeps each document, inside a folder laid out as its repository is. */
const PUBLISHED_LAYOUT = [
  "specification/nhs-app.yaml",
  "specifications-callbacks/realtime-receipts/realtime-receipt.yaml",
  "specifications-callbacks/realtime-replies/realtime-replies.yaml",
];

/** The committed pact that speaks to each of our documents. */
const PACTS: Record<string, string> = {
  "nhs-app": "nhs-app-api-client-nhs-app-api.json",
  "oauth-token": "nhs-app-api-client-platform-token-endpoint.json",
  "realtime-receipts": "nhs-app-supplier-callbacks.json",
  "realtime-replies": "nhs-app-supplier-callbacks.json",
};

export interface Line {
  document: string;
  interaction: string;
  passed: boolean;
  reason?: string;
}

function targetsOf(location: string): string[] {
  if (/^https?:\/\//.test(location) || !existsSync(location) || !statSync(location).isDirectory()) return [location];
  const found = PUBLISHED_LAYOUT.map((file) => path.join(location, file)).filter((file) => existsSync(file));
  if (found.length === 0) {
    throw new CompareInputError(`${location}: no contract documents in it (looked for ${PUBLISHED_LAYOUT.join(", ")})`);
  }
  return found;
}

const operationIds = (doc: JsonObject) =>
  new Set(
    Object.values(isObject(doc.paths) ? doc.paths : {}).flatMap((item) =>
      Object.values(isObject(item) ? item : {}).flatMap((op) =>
        isObject(op) && typeof op.operationId === "string" ? [op.operationId] : [],
      ),
    ),
  );

async function oursFor(target: JsonObject, location: string): Promise<{ doc: SpecDocument; ours: JsonObject }> {
  const wanted = operationIds(target);
  for (const doc of documents) {
    const ours = await loadOpenApi(path.resolve(repoRoot, doc.source));
    if ([...operationIds(ours)].some((id) => wanted.has(id))) return { doc, ours };
  }
  throw new CompareInputError(`${location}: shares no operationId with any document of spec/`);
}

/** The callbacks pact's requests for one callback document, each judged by the document's request schema. */
async function checkCallbacks(document: JsonObject, pactFile: string, alias: string): Promise<Line[]> {
  const pact = JSON.parse(await readFile(pactFile, "utf8")) as {
    interactions: {
      description: string;
      request: { path: string; body?: { content?: unknown } };
      response: { status: number };
    }[];
  };
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, discriminator: true });
  addFormats(ajv);
  ajv.addSchema(withoutDiscriminatorMappings(document), "doc");
  const paths = (isObject(document.paths) ? document.paths : {}) as Record<string, JsonObject>;
  const lines: Line[] = [];
  for (const interaction of pact.interactions) {
    const pathItem = paths[interaction.request.path];
    if (!pathItem) continue; // an interaction of the other callback document
    const content = ((pathItem.post as JsonObject | undefined)?.requestBody as JsonObject | undefined)?.content;
    const mediaType = Object.keys(isObject(content) ? content : {})[0];
    const validate = mediaType
      ? ajv.getSchema(
          `doc#/paths/${interaction.request.path.replace(/~/g, "~0").replace(/\//g, "~1")}/post/requestBody/content/${mediaType.replace(/\//g, "~1")}/schema`,
        )
      : undefined;
    const body = interaction.request.body?.content;
    const expectValid = interaction.response.status < 300;
    if (!validate) {
      lines.push({
        document: alias,
        interaction: interaction.description,
        passed: false,
        reason: "the document has no request body schema for it",
      });
      continue;
    }
    const valid = validate(body) as boolean;
    const faults = (validate.errors ?? []).map((e) => `${e.instancePath || "(body)"} ${e.message ?? e.keyword}`);
    lines.push({
      document: alias,
      interaction: interaction.description,
      passed: valid === expectValid,
      ...(valid === expectValid
        ? {}
        : {
            reason: expectValid
              ? `refused: ${faults.slice(0, 3).join("; ")}`
              : "accepted, though the pact expects it refused",
          }),
    });
  }
  return lines;
}

export async function verifyAgainst(location: string, departuresFile: string, pactsDir: string) {
  const departures = await loadDepartures(departuresFile);
  const scratch = await mkdtemp(path.join(tmpdir(), "nhs-app-against-"));
  // One section of lines per document, in the order the documents were found.
  const sections: Line[][] = [];
  const harnessed: { alias: string; section: Line[]; job: HarnessJob }[] = [];
  const unexplained: string[] = [];
  try {
    for (const target of targetsOf(location)) {
      const loaded = await loadOpenApi(target);
      const { doc, ours } = await oursFor(loaded, target);
      const patched = applyDepartures(loaded, ours, doc, departures);
      for (const d of patched.unexplained) unexplained.push(`${doc.alias}: ${d.kind} ${d.key}`);
      const pactFile = path.join(pactsDir, PACTS[doc.alias] as string);
      const section: Line[] = [];
      sections.push(section);
      if (doc.alias === "realtime-receipts" || doc.alias === "realtime-replies") {
        section.push(...(await checkCallbacks(patched.document, pactFile, doc.alias)));
        continue;
      }
      const specPath = path.join(scratch, `${doc.alias}.json`);
      await writeFile(specPath, JSON.stringify(patched.document));
      harnessed.push({ alias: doc.alias, section, job: { pactFile, specPath } });
    }
    // The API documents go through the harness together, in one child process.
    const results = await runHarnesses(harnessed.map((h) => h.job));
    for (const [index, { alias, section }] of harnessed.entries()) {
      const result = results[index] as HarnessResult;
      for (const i of result.interactions) {
        section.push({
          document: alias,
          interaction: i.description,
          passed: i.passed,
          ...(i.reason ? { reason: i.reason } : {}),
        });
      }
      for (const error of result.comparison.errors) {
        section.push({ document: alias, interaction: "static comparison", passed: false, reason: error });
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return { lines: sections.flat(), unexplained };
}
