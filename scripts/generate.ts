// `pnpm generate`: bundles every document in spec/ into packages/types/openapi
// (JSON and YAML) and generates packages/types/src from the bundles.
// `pnpm generate --check` regenerates in memory and fails, naming each stale
// file, when the committed output differs. `--only-bundle` writes the bundles
// alone (`pnpm spec:bundle`).
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import YAML from "yaml";
import { bundleDocument } from "./lib/bundle.ts";
import { bundleBase, documents, repoRoot, typesFile, typesPackageDir } from "./lib/documents.ts";
import { generateTypes } from "./lib/generate-types.ts";

const args = new Set(process.argv.slice(2));
const check = args.has("--check");
const onlyBundle = args.has("--only-bundle");

/** Every generated file, path to content. */
async function render(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  await Promise.all(
    documents.map(async (doc) => {
      const bundle = await bundleDocument(doc);
      files.set(`${bundleBase(doc)}.json`, `${JSON.stringify(bundle, null, 2)}\n`);
      files.set(`${bundleBase(doc)}.yaml`, YAML.stringify(bundle, { lineWidth: 0 }));
      if (!onlyBundle) files.set(typesFile(doc), await generateTypes(doc, bundle));
    }),
  );
  return files;
}

/** The generated files that exist on disk now, to spot ones the spec no longer produces. */
async function existing(): Promise<string[]> {
  const dirs = [path.join(typesPackageDir, "openapi"), ...(onlyBundle ? [] : [path.join(typesPackageDir, "src")])];
  const found: string[] = [];
  for (const dir of dirs) {
    const names = await readdir(dir).catch(() => [] as string[]);
    found.push(...names.filter((n) => /\.(json|yaml|ts)$/.test(n)).map((n) => path.join(dir, n)));
  }
  return found;
}

const rel = (file: string) => path.relative(repoRoot, file);

async function main() {
  const files = await render();
  if (check) {
    const problems: string[] = [];
    for (const [file, content] of files) {
      const current = await readFile(file, "utf8").catch(() => undefined);
      if (current === undefined) problems.push(`${rel(file)} is missing`);
      else if (current !== content) problems.push(`${rel(file)} is stale (it differs from what spec/ generates)`);
    }
    for (const file of await existing()) {
      if (!files.has(file)) problems.push(`${rel(file)} is not generated from spec/ any more`);
    }
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
  for (const file of [...files.keys()].sort()) console.log(`  ${rel(file)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
