// Bundles one document of spec/ into a single self-contained OpenAPI object
// with Redocly, the same tool that lints it, so that what is linted is what
// ships.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { redoclyConfig, repoRoot, type SpecDocument, toolRoot } from "./documents.ts";

const run = promisify(execFile);
const redoclyBin = path.join(toolRoot, "node_modules/.bin/redocly");

export type OpenApiObject = Record<string, unknown>;

/**
 * Bundles several documents in one run of Redocly (a run costs about half a
 * second of start-up, whatever it bundles). Redocly names each bundle after
 * its source file, so documents whose sources share a file name are bundled
 * in separate runs.
 */
export async function bundleDocuments(docs: readonly SpecDocument[]): Promise<Map<string, OpenApiObject>> {
  const bundles = new Map<string, OpenApiObject>();
  const outputName = (doc: SpecDocument) => `${path.basename(doc.source, path.extname(doc.source))}.json`;
  const runs: SpecDocument[][] = [];
  for (const doc of docs) {
    const free = runs.find((run) => !run.some((other) => outputName(other) === outputName(doc)));
    if (free) free.push(doc);
    else runs.push([doc]);
  }
  for (const batch of runs) {
    const dir = await mkdtemp(path.join(tmpdir(), "nhs-app-bundle-"));
    try {
      await run(
        redoclyBin,
        [
          "bundle",
          ...batch.map((doc) => doc.alias),
          "--config",
          redoclyConfig,
          "--output",
          dir,
          "--ext",
          "json",
          "--component-renaming-conflicts-severity",
          "error",
          "--lint-config",
          "error",
        ],
        { cwd: repoRoot, env: { ...process.env, REDOCLY_TELEMETRY: "off", NO_COLOR: "1" } },
      ).catch((error: { stderr?: string; message: string }) => {
        const sources = batch.map((doc) => doc.source).join(", ");
        throw new Error(`redocly could not bundle ${sources}:\n${error.stderr ?? error.message}`);
      });
      for (const doc of batch) {
        bundles.set(doc.alias, JSON.parse(await readFile(path.join(dir, outputName(doc)), "utf8")) as OpenApiObject);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return bundles;
}

export async function bundleDocument(doc: SpecDocument): Promise<OpenApiObject> {
  return (await bundleDocuments([doc])).get(doc.alias) as OpenApiObject;
}
