// `pnpm generate`: bundles every document in spec/ into packages/types/openapi
// (JSON and YAML) and generates packages/types/src from the bundles.
// `pnpm generate --check` regenerates in memory and fails, naming each stale
// file, when the committed output differs. `--only-bundle` writes the bundles
// alone (`pnpm spec:bundle`).
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { findStaleFiles, relativeToRepo, renderGeneratedFiles } from "./lib/generated-files.ts";

const args = new Set(process.argv.slice(2));
const options = { onlyBundle: args.has("--only-bundle") };

async function main() {
  const { files } = await renderGeneratedFiles(options);
  if (args.has("--check")) {
    const problems = await findStaleFiles(files, options);
    if (problems.length > 0) {
      console.error("Generated files are out of date with spec/:");
      for (const p of problems) console.error(`  - ${p}`);
      console.error("Fix: run `pnpm generate` and commit the result.");
      process.exit(1);
    }
    console.log(`Generated output is up to date (${files.size} files checked).`);
    return;
  }
  for (const [file, content] of files) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  console.log(`Wrote ${files.size} files:`);
  for (const file of [...files.keys()].sort()) console.log(`  ${relativeToRepo(file)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
