// The documents of the contract, each with the committed pact that speaks to
// it and the place NHS England keeps it in its repository. The pacts and the
// departures list travel inside this package (copied in at build time), and
// our own documents are the bundles of @nhs-app-api/types, so the check runs
// in a project that has never seen this repository, with nothing to build.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { type JsonObject, loadOpenApi } from "./load.js";

export interface ContractDocument {
  /** The document's name in spec/ and in @nhs-app-api/types/openapi/<alias>.json. */
  alias: string;
  /** What it describes, for reports. */
  title: string;
  /** The committed pact whose interactions this document must keep. */
  pact: string;
  /** Where NHS England's repository keeps its version, if it publishes one. */
  published?: string;
  /**
   * Whose bodies this project reads: the answers (the client calls the API)
   * or the requests (a supplier's endpoint answers the NHS App's callbacks).
   */
  reads: "answers" | "requests";
}

export const contractDocuments: readonly ContractDocument[] = [
  {
    alias: "nhs-app",
    title: "NHS App API",
    pact: "nhs-app-api-client-nhs-app-api.json",
    published: "specification/nhs-app.yaml",
    reads: "answers",
  },
  {
    alias: "oauth-token",
    title: "platform token endpoint",
    pact: "nhs-app-api-client-platform-token-endpoint.json",
    reads: "answers",
  },
  {
    alias: "realtime-receipts",
    title: "real-time receipts callback",
    pact: "nhs-app-supplier-callbacks.json",
    published: "specifications-callbacks/realtime-receipts/realtime-receipt.yaml",
    reads: "requests",
  },
  {
    alias: "realtime-replies",
    title: "real-time replies callback",
    pact: "nhs-app-supplier-callbacks.json",
    published: "specifications-callbacks/realtime-replies/realtime-replies.yaml",
    reads: "requests",
  },
];

/** A file this package carries beside its code (dist/pacts, dist/departures.yaml), or undefined when not built in. */
function shipped(relative: string): string | undefined {
  const file = fileURLToPath(new URL(relative, import.meta.url));
  return existsSync(file) ? file : undefined;
}

/** The folder of the committed pacts inside the installed package. */
export const shippedPactsDir = () => shipped("./pacts/");

/** spec/departures.yaml as it was when the package was built. */
export const shippedDepartures = () => shipped("./departures.yaml");

const require = createRequire(import.meta.url);

/** Our version of a document: the bundle @nhs-app-api/types publishes, fully dereferenced. */
export function bundledDocument(alias: string): Promise<JsonObject> {
  return loadOpenApi(require.resolve(`@nhs-app-api/types/openapi/${alias}.json`));
}
