// A "release" for the tests and the benchmark: our own documents (the
// bundles of @nhs-app-api/types), written into a folder laid out as NHS
// England's repository, optionally edited first. Against it the committed
// pacts must pass, so each edit shows exactly what the check makes of that
// one change.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type CheckOptions, checkContract, contractDocuments } from "../src/index.js";
import { type JsonObject, loadOpenApi } from "../src/load.js";

const require = createRequire(import.meta.url);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** The files of this repository the check carries once built: the committed pacts and the departures list. */
export const repoFiles = {
  pactsDir: path.join(repoRoot, "contracts/pacts"),
  departures: path.join(repoRoot, "spec/departures.yaml"),
};

// biome-ignore lint/suspicious/noExplicitAny: documents are edited as plain JSON, where any is the honest type
export type Json = Record<string, any>;

/** Where @nhs-app-api/types keeps its bundles: this workspace's, unless told another (an installed copy's). */
const typesBundles = path.dirname(require.resolve("@nhs-app-api/types/openapi/nhs-app.json"));

/** Our bundle of a document, as plain JSON (internal $refs kept, as a publisher's bundle has them). */
export const bundle = async (alias: string, bundles = typesBundles): Promise<Json> =>
  JSON.parse(await readFile(path.join(bundles, `${alias}.json`), "utf8")) as Json;

/** Where each document goes in the release folder: NHS England's place for it, or one of ours for the token endpoint. */
const placeOf = (alias: string) =>
  contractDocuments.find((d) => d.alias === alias)?.published ?? `platform/${alias}.json`;

export interface ReleaseOptions {
  /** Edits to make to a document's JSON before it is written. */
  edit?: Partial<Record<string, (document: Json) => void>>;
  /** Documents to leave out. */
  without?: string[];
  /** The folder of bundles to start from (by default this workspace's @nhs-app-api/types/openapi). */
  bundles?: string;
}

/** Writes our documents, with the edits given, into `folder`, laid out as NHS England's repository. */
export async function writeRelease(folder: string, options: ReleaseOptions = {}): Promise<string> {
  for (const { alias } of contractDocuments) {
    if (options.without?.includes(alias)) continue;
    const document = await bundle(alias, options.bundles);
    options.edit?.[alias]?.(document);
    const file = path.join(folder, placeOf(alias));
    await mkdir(path.dirname(file), { recursive: true });
    // JSON is YAML too: the publisher's .yaml names hold it as well.
    await writeFile(file, JSON.stringify(document, null, 2));
  }
  return folder;
}

const folders: string[] = [];

/** A new temporary folder holding a release (see writeRelease); removeReleases deletes them all. */
export async function release(options: ReleaseOptions = {}): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), "nhs-app-release-"));
  folders.push(folder);
  return writeRelease(folder, options);
}

export const removeReleases = () => Promise.all(folders.splice(0).map((f) => rm(f, { recursive: true, force: true })));

// Our documents, loaded once for every run of a test file.
const ours = new Map<string, Promise<JsonObject>>();
const oursOf = (alias: string) => {
  if (!ours.has(alias)) ours.set(alias, loadOpenApi(require.resolve(`@nhs-app-api/types/openapi/${alias}.json`)));
  return ours.get(alias) as Promise<JsonObject>;
};

/** The check against a location, with this repository's pacts and departures. */
export const check = (against: string, options: Partial<CheckOptions> = {}) =>
  checkContract({ against, ...repoFiles, ours: oursOf, ...options });
