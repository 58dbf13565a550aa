// Finds, in what the user points at, the documents to check the pacts
// against: one file or URL, or a folder laid out as NHS England's repository
// (or any folder: its OpenAPI documents are found wherever they sit). Each is
// matched to one of our documents by the operations they share.
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { ContractInputError, isObject, type JsonObject, loadOpenApi } from "./load.js";

export interface Target {
  /** Which of our documents it is another version of. */
  alias: string;
  /** Where it was read from. */
  location: string;
  document: JsonObject;
}

export interface Targets {
  /** The first document found for each of ours. */
  found: Map<string, Target>;
  /** Other documents found for one of ours already found, left unchecked. */
  ignored: Target[];
  /** Files passed over, and why (too large, or a broken document outside the publisher's places). */
  skipped: { location: string; reason: string }[];
  /** Whether the location was a folder (searched) or one document. */
  folder: boolean;
}

const METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

/** The operations of a document, as operationIds and as `METHOD path`. */
function operationsOf(document: JsonObject): { ids: Set<string>; routes: Set<string> } {
  const ids = new Set<string>();
  const routes = new Set<string>();
  for (const [route, item] of Object.entries(isObject(document.paths) ? document.paths : {})) {
    if (!isObject(item)) continue;
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.has(method) || !isObject(operation)) continue;
      routes.add(`${method.toUpperCase()} ${route}`);
      if (typeof operation.operationId === "string") ids.add(operation.operationId);
    }
  }
  return { ids, routes };
}

const overlap = (a: Set<string>, b: Set<string>) => [...a].filter((x) => b.has(x)).length;

/**
 * Which of our documents this one is a version of: the one sharing the most
 * operationIds, or, when it shares none (a publisher may rename them), the
 * most routes.
 */
export function identify(document: JsonObject, ours: ReadonlyMap<string, JsonObject>): string | undefined {
  const theirs = operationsOf(document);
  let best: { alias: string; score: number } | undefined;
  for (const byRoute of [false, true]) {
    for (const [alias, mine] of ours) {
      const own = operationsOf(mine);
      const score = byRoute ? overlap(theirs.routes, own.routes) : overlap(theirs.ids, own.ids);
      if (score > 0 && (!best || score > best.score)) best = { alias, score };
    }
    if (best) return best.alias;
  }
  return undefined;
}

const isUrl = (location: string) => /^https?:\/\//i.test(location);

/** Regular files below a folder that may be OpenAPI documents: YAML or JSON, outside hidden folders and node_modules. */
async function candidateFiles(folder: string): Promise<string[]> {
  const files: string[] = [];
  const visit = async (dir: string, depth: number) => {
    if (depth > 8 || files.length >= 2_000) return;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith(".") && entry.name !== "node_modules") await visit(full, depth + 1);
        continue;
      }
      if (!/\.(ya?ml|json)$/i.test(entry.name)) continue;
      // What a link points at, and only files: not a pipe that would never end, nor a link to nowhere.
      if (
        await stat(full)
          .then((s) => s.isFile())
          .catch(() => false)
      )
        files.push(full);
    }
  };
  await visit(folder, 0);
  return files;
}

/** The largest document read; NHS England's whole API is a few hundred kilobytes. */
const MAX_BYTES = 20 * 1024 * 1024;

/** Whether a file holds a document of its own (`openapi: 3...`), not a component another one refers to; or why it was passed over. */
async function looksLikeOpenApi(file: string): Promise<boolean | string> {
  const { size } = await stat(file);
  if (size > MAX_BYTES) return `larger than ${MAX_BYTES / 1024 / 1024} MB`;
  const text = await readFile(file, "utf8");
  // JSON (in a .json file, or a .yaml one: JSON is YAML too), read whole, wherever its `openapi` key sits.
  if (/^\s*\{/.test(text)) {
    try {
      const parsed: unknown = JSON.parse(text);
      return isObject(parsed) && typeof parsed.openapi === "string" && parsed.openapi.startsWith("3.");
    } catch {
      return false;
    }
  }
  return /^["']?openapi["']?\s*:\s*["']?3\./m.test(text);
}

/** The documents at `location`, each matched to one of ours. `layout`: where a folder's own documents sit, looked at first. */
export async function findTargets(
  location: string,
  ours: ReadonlyMap<string, JsonObject>,
  layout: readonly string[] = [],
): Promise<Targets> {
  const folder =
    !isUrl(location) &&
    (await stat(location)
      .then((s) => s.isDirectory())
      .catch(() => false));
  const targets: Targets = { found: new Map(), ignored: [], skipped: [], folder };
  const take = (target: Target) => {
    if (targets.found.has(target.alias)) targets.ignored.push(target);
    else targets.found.set(target.alias, target);
  };
  if (!folder) {
    const document = await loadOpenApi(location);
    const alias = identify(document, ours);
    if (!alias) {
      throw new ContractInputError(
        `${location}: shares no operation with any document of this contract (${[...ours.keys()].join(", ")})`,
      );
    }
    take({ alias, location, document });
    return targets;
  }
  const expected = new Set(layout.map((place) => path.join(location, place)));
  const all = await candidateFiles(location);
  const ordered = [...all.filter((file) => expected.has(file)), ...all.filter((file) => !expected.has(file))];
  let documents = 0;
  for (const file of ordered) {
    const verdict = await looksLikeOpenApi(file);
    if (typeof verdict === "string") {
      targets.skipped.push({ location: file, reason: verdict });
      continue;
    }
    if (!verdict) continue;
    documents += 1;
    let document: JsonObject;
    try {
      document = await loadOpenApi(file);
    } catch (error) {
      // Where the publisher keeps a document, it must be readable; anywhere else a broken file is only passed over.
      if (expected.has(file) || !(error instanceof ContractInputError)) throw error;
      targets.skipped.push({ location: file, reason: error.message.replace(`${file}: `, "") });
      continue;
    }
    const alias = identify(document, ours);
    if (alias) take({ alias, location: file, document });
  }
  if (targets.found.size === 0) {
    throw new ContractInputError(
      `${location}: holds no OpenAPI document of this contract (${documents} OpenAPI documents found, none sharing an operation with ${[...ours.keys()].join(", ")})`,
    );
  }
  return targets;
}
