// What `pnpm generate` writes: the bundles of every document in spec/ (JSON
// and YAML), the types generated from them, and the run-time contract
// (constants and compiled validators) of @nhs-app-api/contract. Rendered in memory, so the
// drift check and the demo can compare with what is committed without writing.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import YAML from "yaml";
import { bundleDocuments, type OpenApiObject } from "./bundle.ts";
import { bundleBase, contractGeneratedDir, documents, repoRoot, typesFile, typesPackageDir } from "./documents.ts";
import { generateContract } from "./generate-contract.ts";
import { generateTypes } from "./generate-types.ts";

export interface GeneratedFiles {
  /** Absolute path to content. */
  files: Map<string, string>;
  /** The bundle of each document, by alias. */
  bundles: Map<string, OpenApiObject>;
}

export async function renderGeneratedFiles(options: { onlyBundle?: boolean } = {}): Promise<GeneratedFiles> {
  const files = new Map<string, string>();
  const bundles = await bundleDocuments(documents);
  await Promise.all(
    documents.map(async (doc) => {
      const bundle = bundles.get(doc.alias) as OpenApiObject;
      files.set(`${bundleBase(doc)}.json`, `${JSON.stringify(bundle, null, 2)}\n`);
      // Written for YAML 1.1 readers too (PyYAML, js-yaml 3, many tools): they would read an unquoted
      // 2022-08-22 as a date and 22:00 as the number 1320, so such strings are quoted. YAML 1.2 reads it alike.
      files.set(`${bundleBase(doc)}.yaml`, YAML.stringify(bundle, { lineWidth: 0, version: "1.1" }));
      if (!options.onlyBundle) files.set(typesFile(doc), await generateTypes(doc, bundle));
    }),
  );
  if (!options.onlyBundle) {
    const contract = generateContract(bundles);
    files.set(path.join(contractGeneratedDir, "contract.ts"), contract.constants);
    files.set(path.join(contractGeneratedDir, "validators.ts"), contract.index);
    for (const [alias, code] of contract.validators) {
      files.set(path.join(contractGeneratedDir, `validators-${alias}.ts`), code);
    }
  }
  return { files, bundles };
}

export const relativeToRepo = (file: string) => path.relative(repoRoot, file);

/** Generated files that are missing, stale or left over, each as a sentence. */
export async function findStaleFiles(files: Map<string, string>, options: { onlyBundle?: boolean } = {}) {
  const problems: string[] = [];
  for (const [file, content] of files) {
    const current = await readFile(file, "utf8").catch(() => undefined);
    if (current === undefined) problems.push(`${relativeToRepo(file)} is missing`);
    else if (current !== content)
      problems.push(`${relativeToRepo(file)} is stale (it differs from what spec/ generates)`);
  }
  const dirs = [
    path.join(typesPackageDir, "openapi"),
    ...(options.onlyBundle ? [] : [path.join(typesPackageDir, "src"), contractGeneratedDir]),
  ];
  for (const dir of dirs) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.filter((n) => /\.(json|yaml|ts)$/.test(n))) {
      const file = path.join(dir, name);
      if (!files.has(file)) problems.push(`${relativeToRepo(file)} is not generated from spec/ any more`);
    }
  }
  return problems;
}
