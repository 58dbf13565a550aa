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

/** Files below a folder that may be OpenAPI documents: YAML or JSON, outside hidden folders and node_modules. */
async function candidateFiles(folder: string): Promise<string[]> {
  const files: string[] = [];
  const visit = async (dir: string, depth: number) => {
    if (depth > 8 || files.length >= 2_000) return;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith(".") && entry.name !== "node_modules") await visit(full, depth + 1);
      } else if (/\.(ya?ml|json)$/i.test(entry.name)) files.push(full);
    }
  };
  await visit(folder, 0);
  return files;
}

/** Whether a file's text starts a document of its own (`openapi: 3...`), not a component another one refers to. */
async function looksLikeOpenApi(file: string): Promise<boolean> {
  const { size } = await stat(file);
  if (size > 20 * 1024 * 1024) return false;
  const text = await readFile(file, "utf8");
  return /^[\s{]*["']?openapi["']?\s*:\s*["']?3\./m.test(text);
}

/** The documents at `location`, each matched to one of ours. */
export async function findTargets(location: string, ours: ReadonlyMap<string, JsonObject>): Promise<Targets> {
  const folder =
    !isUrl(location) &&
    (await stat(location)
      .then((s) => s.isDirectory())
      .catch(() => false));
  const targets: Targets = { found: new Map(), ignored: [], folder };
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
  const files = [];
  for (const file of await candidateFiles(location)) if (await looksLikeOpenApi(file)) files.push(file);
  for (const file of files) {
    const document = await loadOpenApi(file);
    const alias = identify(document, ours);
    if (alias) take({ alias, location: file, document });
  }
  if (targets.found.size === 0) {
    throw new ContractInputError(
      `${location}: holds no OpenAPI document of this contract (${files.length} OpenAPI documents found, none sharing an operation with ${[...ours.keys()].join(", ")})`,
    );
  }
  return targets;
}
