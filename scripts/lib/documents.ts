// The OpenAPI documents this repository maintains, in one place, so the
// bundler, the generator, the drift check, the docs and the comparison agree
// on names and paths.

import path from "node:path";
import { fileURLToPath } from "node:url";

/** This checkout: where the tools (node_modules) are. */
export const toolRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/**
 * The tree whose spec/ and packages/types are read and written. Tests point it
 * at a scratch copy (NHS_APP_API_REPO_ROOT) to prove the drift check bites.
 */
export const repoRoot = process.env.NHS_APP_API_REPO_ROOT ?? toolRoot;
export const specDir = path.join(repoRoot, "spec");
export const redoclyConfig = path.join(specDir, "redocly.yaml");
export const typesPackageDir = path.join(repoRoot, "packages/types");
/** Where the run-time contract's generated modules live. */
export const contractGeneratedDir = path.join(repoRoot, "packages/contract/src/generated");

export interface SpecDocument {
  /** The API's alias in spec/redocly.yaml; also the bundle's file name. */
  alias: string;
  /** The source document, relative to the repository root. */
  source: string;
  /** The export path of its types in @nhs-app-api/types ("." is the root). */
  typesExport: string;
  /** What the document describes, for summaries. */
  title: string;
}

export const documents: readonly SpecDocument[] = [
  { alias: "nhs-app", source: "spec/nhs-app.yaml", typesExport: ".", title: "NHS App API" },
  {
    alias: "realtime-receipts",
    source: "spec/callbacks/realtime-receipts.yaml",
    typesExport: "./realtime-receipts",
    title: "Real-time receipts callback",
  },
  {
    alias: "realtime-replies",
    source: "spec/callbacks/realtime-replies.yaml",
    typesExport: "./realtime-replies",
    title: "Real-time replies callback",
  },
  {
    alias: "oauth-token",
    source: "spec/oauth/token.yaml",
    typesExport: "./oauth-token",
    title: "Platform token endpoint",
  },
];

/** Where a document's bundle lives in the types package (without extension). */
export const bundleBase = (doc: SpecDocument) => path.join(typesPackageDir, "openapi", doc.alias);

/** Where a document's generated types live in the types package. */
export const typesFile = (doc: SpecDocument) =>
  path.join(typesPackageDir, "src", doc.typesExport === "." ? "index.ts" : `${doc.alias}.ts`);
