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

export async function bundleDocument(doc: SpecDocument): Promise<OpenApiObject> {
  const dir = await mkdtemp(path.join(tmpdir(), "nhs-app-bundle-"));
  const out = path.join(dir, `${doc.alias}.json`);
  try {
    await run(
      redoclyBin,
      [
        "bundle",
        doc.alias,
        "--config",
        redoclyConfig,
        "--output",
        out,
        "--ext",
        "json",
        "--component-renaming-conflicts-severity",
        "error",
        "--lint-config",
        "error",
      ],
      { cwd: repoRoot, env: { ...process.env, REDOCLY_TELEMETRY: "off", NO_COLOR: "1" } },
    ).catch((error: { stderr?: string; message: string }) => {
      throw new Error(`redocly could not bundle ${doc.source}:\n${error.stderr ?? error.message}`);
    });
    return JSON.parse(await readFile(out, "utf8")) as OpenApiObject;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
