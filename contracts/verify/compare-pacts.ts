// The static half of the harness: the pact compared with the spec by
// swagger-mock-validator (request and response bodies, headers, status codes,
// paths and parameters), without running anything, plus the one check it
// does not make: that each request body is sent with a media type the
// operation accepts. A warning fails too: swagger-mock-validator only warns
// about a query parameter or a request header the spec does not declare,
// which is exactly what a renamed parameter looks like. No analytics URL is
// passed, so it makes no network call.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { SwaggerMockValidatorFactory } from "@pactflow/swagger-mock-validator";
import { withoutDiscriminatorMappings } from "./strict-spec.ts";

export interface ComparisonResult {
  success: boolean;
  errors: string[];
  warnings: string[];
}

const describe = (m: { code: string; message: string; mockDetails?: { interactionDescription?: string } }) =>
  `${m.code}: ${m.message}${m.mockDetails?.interactionDescription ? ` (${m.mockDetails.interactionDescription})` : ""}`;

interface PactInteraction {
  description: string;
  request: { method: string; path: string; headers?: Record<string, string | string[]>; body?: unknown };
}
type Operation = { requestBody?: { content?: Record<string, unknown> } };
type Spec = { paths?: Record<string, Record<string, Operation>> };

/** The operation of a spec path, literal or templated (`/a/{id}`), for a request path. */
export function operationFor<O>(
  spec: { paths?: Record<string, Record<string, O>> },
  method: string,
  requestPath: string,
): O | undefined {
  for (const [template, item] of Object.entries(spec.paths ?? {})) {
    const pattern = new RegExp(
      `^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{[^}]+\\?\}/g, "[^/]+")}/?$`,
    );
    if (pattern.test(requestPath)) return item[method.toLowerCase()];
  }
  return undefined;
}

/** Requests whose Content-Type is not one the operation's requestBody lists. */
async function mediaTypeErrors(pactFile: string, spec: Spec): Promise<string[]> {
  const pact = JSON.parse(await readFile(pactFile, "utf8")) as { interactions?: PactInteraction[] };
  const errors: string[] = [];
  for (const { description, request } of pact.interactions ?? []) {
    if (request.body === undefined) continue;
    const header = Object.entries(request.headers ?? {}).find(([name]) => name.toLowerCase() === "content-type")?.[1];
    const mediaType = String(Array.isArray(header) ? header[0] : (header ?? ""))
      .split(";")[0]
      ?.trim()
      .toLowerCase();
    const operation = operationFor(spec, request.method, request.path);
    if (!operation) {
      errors.push(`request.operation.unknown: the spec has no ${request.method} ${request.path} (${description})`);
      continue;
    }
    const accepted = Object.keys(operation.requestBody?.content ?? {});
    if (!accepted.some((type) => type.toLowerCase() === mediaType)) {
      errors.push(
        `request.content-type.unsupported: the request is sent as ${mediaType || "(no Content-Type)"}, ` +
          `the spec accepts ${accepted.join(", ") || "no body"} (${description})`,
      );
    }
  }
  return errors;
}

export async function comparePactWithSpec(options: { pactFile: string; specPath: string }): Promise<ComparisonResult> {
  const validator = SwaggerMockValidatorFactory.create();
  const spec = JSON.parse(await readFile(options.specPath, "utf8")) as Spec;
  const dir = await mkdtemp(path.join(tmpdir(), "nhs-app-compare-"));
  const compilable = path.join(dir, "spec.json");
  await writeFile(compilable, JSON.stringify(withoutDiscriminatorMappings(spec as Record<string, unknown>)));
  const result = await validator
    .validate({ mockPathOrUrl: options.pactFile, specPathOrUrl: compilable })
    .finally(() => rm(dir, { recursive: true, force: true }));
  const errors = [...result.errors.map(describe), ...(await mediaTypeErrors(options.pactFile, spec))];
  const warnings = result.warnings.map(describe);
  return { success: errors.length === 0 && warnings.length === 0, errors, warnings };
}
