// `pnpm spec:summary`: the contract pipeline a maintainer relies on, in one
// run, saying what it found:
// lint, bundle, drift check, the operations of each document, and (where
// NHS England's published files sit beside the repository) the comparison.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { loadDepartures } from "../packages/contract-check/src/departures.ts";
import { documents, redoclyConfig, repoRoot, toolRoot } from "./lib/documents.ts";
import { findStaleFiles, renderGeneratedFiles } from "./lib/generated-files.ts";
import { compareWithPublished } from "./spec-compare/compare.ts";

const run = promisify(execFile);
const METHODS = ["get", "put", "post", "delete", "patch"];

type Operation = { operationId?: string; responses?: Record<string, unknown> };

async function lint() {
  const result = await run(path.join(toolRoot, "node_modules/.bin/redocly"), ["lint", "--config", redoclyConfig], {
    cwd: repoRoot,
    env: { ...process.env, REDOCLY_TELEMETRY: "off", NO_COLOR: "1" },
  }).then(
    () => ({ ok: true, output: "" }),
    (error: { stdout?: string; stderr?: string }) => ({
      ok: false,
      output: `${error.stdout ?? ""}${error.stderr ?? ""}`,
    }),
  );
  if (!result.ok) {
    console.error(result.output);
    throw new Error("spec lint failed: run `pnpm spec:lint` for the details");
  }
  console.log(`1. Lint: ${documents.length} documents in spec/, no errors and no warnings.`);
}

async function main() {
  console.log("NHS App API contract pipeline\n");
  await lint();

  const { files, bundles } = await renderGeneratedFiles();
  const stale = await findStaleFiles(files);
  console.log(
    stale.length === 0
      ? `2. Bundle and generate: ${files.size} files, identical to the committed packages/types.`
      : `2. Bundle and generate: ${stale.length} committed files are out of date; run \`pnpm generate\`.`,
  );

  console.log("3. What each document promises:");
  for (const doc of documents) {
    const bundle = bundles.get(doc.alias) as {
      paths: Record<string, Record<string, Operation>>;
      components?: Record<string, object>;
    };
    const schemas = Object.keys(bundle.components?.schemas ?? {}).length;
    const examples = Object.keys(bundle.components?.examples ?? {}).length;
    console.log(`   ${doc.title} (${doc.source}): ${schemas} schemas, ${examples} named examples`);
    for (const [route, item] of Object.entries(bundle.paths)) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        const statuses = Object.keys(op.responses ?? {}).join(" ");
        console.log(`     ${method.toUpperCase().padEnd(5)} ${route}  ${op.operationId}  [${statuses}]`);
      }
    }
  }

  const departures = await loadDepartures(path.join(repoRoot, "spec/departures.yaml"));
  const published = process.env.NHS_APP_PUBLISHED_DIR ?? path.resolve(repoRoot, "../shared/published");
  if (existsSync(published)) {
    console.log(
      `4. Against NHS England's published files (${departures.length} departures listed in spec/departures.yaml):`,
    );
    for (const file of [
      "specification/nhs-app.yaml",
      "specifications-callbacks/realtime-receipts/realtime-receipt.yaml",
      "specifications-callbacks/realtime-replies/realtime-replies.yaml",
    ]) {
      const c = await compareWithPublished(path.join(published, file));
      const verdict = c.unexplained === 0 ? "all explained" : `${c.unexplained} UNEXPLAINED`;
      console.log(`   ${file}: ${c.differences.length} differences, ${verdict}`);
    }
  } else {
    console.log(`4. ${departures.length} departures from the published contract are listed in spec/departures.yaml;`);
    console.log("   run `pnpm spec:compare <published nhs-app.yaml>` to check them against NHS England's files.");
  }
  console.log("\nNext: `pnpm spec:docs` writes the API reference to docs/api/.");
  if (stale.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
