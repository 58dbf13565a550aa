import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContractInputError } from "../../packages/contract-check/src/load.ts";
import { toolRoot } from "../lib/documents.ts";
import { type CompareOptions, compareWithPublished } from "./compare.ts";
import { formatComparison } from "./report.ts";

const fixtures = path.join(toolRoot, "scripts/spec-compare/fixtures");
const fixture = (name: string) => path.join(fixtures, name);
const options: CompareOptions = {
  candidates: [
    { alias: "fixture", source: "scripts/spec-compare/fixtures/ours/api.yaml", typesExport: ".", title: "Fixture" },
  ],
  departuresFile: fixture("departures.yaml"),
};

describe("spec comparison", () => {
  it("finds no difference between documents that promise the same, however they are written", async () => {
    const result = await compareWithPublished(fixture("published-same/api.yaml"), options);
    expect(result.differences).toEqual([]);
    expect(result.unexplained).toBe(0);
    expect(result.ours.alias).toBe("fixture");
  });

  it("reports each changed constraint, required field, status code and enum, with its path on both sides", async () => {
    const result = await compareWithPublished(fixture("published-changed/api.yaml"), options);
    const summary = result.differences.map((d) => `${d.kind} ${d.key}`);
    const body = 'paths["/messages"].post.requestBody.content["application/json"].schema';
    expect([...summary].sort()).toEqual(
      [
        `changed ${body}.properties.text.maxLength`,
        `removed ${body}.properties.sender`,
        `removed ${body}.required["sender"]`,
        'added paths["/messages"].post.responses["400"]',
        'changed paths["/reports"].get.parameters[query:day].required',
        'changed paths["/reports"].get.responses["200"].content["application/json"].schema.items.properties.code.enum',
      ].sort(),
    );
    const maxLength = result.differences.find((d) => d.key.endsWith("text.maxLength"));
    expect(maxLength?.published).toEqual({ where: `${body}.properties.text.maxLength`, value: 200 });
    expect(maxLength?.ours).toEqual({ where: `${body}.properties.text.maxLength`, value: 100 });
  });

  it("marks a difference explained only by a departure for the same document", async () => {
    const result = await compareWithPublished(fixture("published-changed/api.yaml"), options);
    const explained = result.differences.filter((d) => d.departure).map((d) => d.departure?.id);
    expect(explained).toEqual(["longer-text"]);
    expect(result.unexplained).toBe(5);
    expect(result.unusedDepartures.map((d) => d.id)).toEqual(["never-matches"]);
  });

  it("does not explain a difference whose published value moved on from the one the departure pinned", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "departures-"));
    const file = path.join(dir, "departures.yaml");
    const original = await readFile(fixture("departures.yaml"), "utf8");
    // The publisher's limit is 200; a departure written when it was 250 must not explain it now.
    await writeFile(file, original.replace("published: 200", "published: 250"));
    try {
      const result = await compareWithPublished(fixture("published-changed/api.yaml"), {
        ...options,
        departuresFile: file,
      });
      const maxLength = result.differences.find((d) => d.key.endsWith("text.maxLength"));
      expect(maxLength?.departure).toBeUndefined();
      expect(maxLength?.outdated).toMatchObject({ departure: { id: "longer-text" }, expected: 250 });
      expect(result.unexplained).toBe(6);
      expect(formatComparison(result)).toContain(
        "departure longer-text was written for the published value 250: the publisher changed it again",
      );
      // A changed or removed entry without its published value is refused, so none can be vague.
      await writeFile(file, original.replace(", published: 200", ""));
      await expect(
        compareWithPublished(fixture("published-changed/api.yaml"), { ...options, departuresFile: file }),
      ).rejects.toThrow("departures[0].differences[0] (changed) needs `published`");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("prints where each fact sits when the documents nest it differently", async () => {
    const result = await compareWithPublished(fixture("published-changed/api.yaml"), options);
    const day = result.differences.find((d) => d.key.endsWith("parameters[query:day].required"));
    expect(day?.published?.where).toBe('paths["/reports"].parameters[0].required');
    expect(day?.ours?.where).toBe('paths["/reports"].get.parameters[0].required');
    const code = result.differences.find((d) => d.key.endsWith("code.enum"));
    expect(code?.published?.where).toMatch(/\.items\.oneOf\[0\]\.properties\.code\.enum$/);
    expect(code?.ours?.where).toMatch(/\.items\.properties\.code\.enum$/);
    const text = formatComparison(result);
    expect(text).toContain(`published: false  at ${day?.published?.where}`);
    expect(text).toContain("departure: longer-text: Our text limit is stricter.");
    expect(text.trim().split("\n").at(-2)).toBe("6 differences: 1 explained by 1 departures, 5 unexplained.");
  });

  it("refuses a missing file, a document that is not OpenAPI 3 and a broken $ref with one-line errors", async () => {
    const cases: [string, RegExp][] = [
      [fixture("does-not-exist.yaml"), /does-not-exist\.yaml: cannot read it/],
      [fixture("not-openapi.yaml"), /is not an OpenAPI 3 document \(no `openapi: 3.x` field\)/],
      [fixture("swagger.json"), /is not an OpenAPI 3 document \(Swagger 2.0\)/],
      [fixture("broken-ref.yaml"), /a \$ref cannot be resolved/],
    ];
    for (const [file, message] of cases) {
      const error = await compareWithPublished(file, options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ContractInputError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain("\n");
    }
  });

  it("says which documents exist when --ours names none of them", async () => {
    await expect(
      compareWithPublished(fixture("published-same/api.yaml"), { ...options, ours: "nope" }),
    ).rejects.toThrow("--ours nope: no such document (choose from fixture)");
  });
});

describe("spec comparison over HTTP", () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    // Serves the fixtures on loopback so that a URL with multi-file $refs is read as a maintainer would.
    server = createServer(async (req, res) => {
      const file = path.join(fixtures, decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
      if (!file.startsWith(fixtures)) return res.writeHead(403).end();
      try {
        const body = await readFile(file);
        res.writeHead(200, { "content-type": "application/yaml" }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("reads a published document and its referenced files from a URL", async () => {
    const result = await compareWithPublished(`${base}/published-same/api.yaml`, options);
    expect(result.differences).toEqual([]);
  });

  it("gives a one-line error for a URL that does not answer with a document", async () => {
    await expect(compareWithPublished(`${base}/nothing-here.yaml`, options)).rejects.toThrow(ContractInputError);
  });
});

describe("spec:compare command", () => {
  const run = promisify(execFile);
  const cli = (...args: string[]) =>
    run(path.join(toolRoot, "node_modules/.bin/tsx"), ["scripts/spec-compare/cli.ts", ...args], { cwd: toolRoot }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

  it("exits 2 with one line and no stack trace for bad input", async () => {
    const result = await cli(fixture("broken-ref.yaml"));
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/^spec:compare: .*a \$ref cannot be resolved/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 2 with usage help when the published document is not given", async () => {
    const result = await cli();
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing required argument 'published'");
  });

  it("exits 1 when our own document differs from itself in a way nothing explains", async () => {
    const result = await cli(
      fixture("published-changed/api.yaml"),
      "--ours",
      "nhs-app",
      "--departures",
      fixture("departures.yaml"),
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("UNEXPLAINED");
  });
});
