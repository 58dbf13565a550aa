// `pnpm spec:docs`: writes an HTML API reference for each document in spec/
// to docs/api/, with Redoc's scripts embedded so the pages open offline.
import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { documents, redoclyConfig, repoRoot, toolRoot } from "./lib/documents.ts";

const run = promisify(execFile);
export const docsDir = path.join(repoRoot, "docs/api");

async function main() {
  await mkdir(docsDir, { recursive: true });
  const redocly = path.join(toolRoot, "node_modules/.bin/redocly");
  for (const doc of documents) {
    const output = path.join(docsDir, `${doc.alias}.html`);
    await run(redocly, ["build-docs", doc.alias, "--config", redoclyConfig, "--inlineBundle", "--output", output], {
      cwd: repoRoot,
      env: { ...process.env, REDOCLY_TELEMETRY: "off" },
    }).catch((error: { stderr?: string; message: string }) => {
      throw new Error(`redocly could not build the docs of ${doc.source}:\n${error.stderr ?? error.message}`);
    });
    console.log(`  ${path.relative(repoRoot, output)}  (${doc.title})`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
