// The bundles that ship in @nhs-app-api/types must stand alone: no reference
// to another file, no `$ref` left inside an example value (mocks and docs
// would serve it literally), and the JSON and YAML forms must agree.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { bundleBase, documents } from "../scripts/lib/documents.ts";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every `$ref` value in a JSON tree, with the path where it sits. */
function refs(node: Json, where = "$"): { where: string; ref: string }[] {
  if (Array.isArray(node)) return node.flatMap((child, i) => refs(child, `${where}[${i}]`));
  if (node === null || typeof node !== "object") return [];
  return Object.entries(node).flatMap(([key, child]) =>
    key === "$ref" && typeof child === "string" ? [{ where, ref: child }] : refs(child, `${where}.${key}`),
  );
}

/** Every example value: `example` of a media type, parameter or schema and `value` of an Example Object. */
function exampleValues(node: Json, where = "$", inExamples = false): { where: string; value: Json }[] {
  if (Array.isArray(node)) return node.flatMap((child, i) => exampleValues(child, `${where}[${i}]`));
  if (node === null || typeof node !== "object") return [];
  return Object.entries(node).flatMap(([key, child]) => {
    const path = `${where}.${key}`;
    if (key === "example" || (inExamples && key === "value")) return [{ where: path, value: child }];
    return exampleValues(child, path, where.endsWith(".examples") || /\.examples\.[^.]+$/.test(path));
  });
}

describe.each(documents.map((d) => [d.alias, d] as const))("the %s bundle", (_alias, doc) => {
  it("is self-contained: every $ref points inside the bundle", async () => {
    const bundle = JSON.parse(await readFile(`${bundleBase(doc)}.json`, "utf8")) as Json;
    const external = refs(bundle).filter((r) => !r.ref.startsWith("#/"));
    expect(external).toEqual([]);
  });

  it("has no $ref inside any example value", async () => {
    const bundle = JSON.parse(await readFile(`${bundleBase(doc)}.json`, "utf8")) as Json;
    const values = exampleValues(bundle);
    expect(values.length).toBeGreaterThan(0);
    const inExamples = values.flatMap((v) => refs(v.value, v.where));
    expect(inExamples).toEqual([]);
  });

  it("says the same in JSON and YAML", async () => {
    const json = JSON.parse(await readFile(`${bundleBase(doc)}.json`, "utf8")) as unknown;
    const text = await readFile(`${bundleBase(doc)}.yaml`, "utf8");
    expect(YAML.parse(text) as unknown).toEqual(json);
    // And as a YAML 1.1 reader reads it: no date, time or yes/no left unquoted to become something else.
    expect(YAML.parse(text, { version: "1.1" }) as unknown).toEqual(json);
  });
});

describe("the NHS App API bundle", () => {
  it("has the four operations and the two platform endpoints, each with named examples for every documented error", async () => {
    const bundle = JSON.parse(await readFile(`${bundleBase(documents[0] as (typeof documents)[0])}.json`, "utf8"));
    const operations = Object.values(bundle.paths as Record<string, Record<string, { operationId: string }>>).flatMap(
      (item) => Object.values(item).map((op) => op.operationId),
    );
    expect(operations.sort()).toEqual([
      "create-in-app",
      "create-notification",
      "get-patient-report",
      "get-ping",
      "get-receipt-report",
      "get-status",
    ]);
    const examplesOf = (path: string, method: string, status: string) => {
      let response = bundle.paths[path][method].responses[status];
      if (response.$ref) response = bundle.components.responses[response.$ref.split("/").pop()];
      return Object.keys(Object.values(response.content as Record<string, { examples: object }>)[0]?.examples ?? {});
    };
    const inApp = "/communication/in-app/FHIR/R4/CommunicationRequest";
    expect(examplesOf(inApp, "post", "400")).toHaveLength(10);
    expect(examplesOf(inApp, "post", "401")).toEqual(["invalid-access-token", "expired-access-token"]);
    expect(examplesOf(inApp, "post", "429")).toEqual([
      "exceeded-quota-per-app",
      "exceeded-spike-arrest",
      "exceeded-quota-per-proxy",
    ]);
    expect(examplesOf("/communication/report/receipts/FHIR/R4/Task", "get", "404")).toEqual(["report-not-found"]);
    expect(examplesOf("/communication/report/patients", "get", "403")).toEqual(["missing-patient-report-permission"]);
    const requestExamples = Object.keys(bundle.paths[inApp].post.requestBody.content["application/json"].examples);
    expect(requestExamples).toEqual([
      "app-message",
      "app-message-with-keyword-reply",
      "app-message-with-free-text-reply",
    ]);
  });
});

describe("the OperationOutcome of the API and of the callback endpoints", () => {
  type Schemas = Record<string, { properties?: Record<string, { enum?: string[] }> }>;
  const schemasOf = async (alias: string) => {
    const doc = documents.find((d) => d.alias === alias) as (typeof documents)[0];
    return (JSON.parse(await readFile(`${bundleBase(doc)}.json`, "utf8")) as { components: { schemas: Schemas } })
      .components.schemas;
  };

  it("share every issue field but code, and the API's codes are among the FHIR codes the callbacks allow", async () => {
    const api = await schemasOf("nhs-app");
    const callbackCodes: string[][] = [];
    for (const alias of ["realtime-receipts", "realtime-replies"]) {
      const callback = await schemasOf(alias);
      const { code, ...fields } = callback.OperationOutcomeIssue?.properties ?? {};
      const { code: _apiCode, ...apiFields } = api.OperationOutcomeIssue?.properties ?? {};
      expect(fields).toEqual(apiFields); // the same $refs, to the same files
      for (const ref of ["IssueSeverity", "IssueDiagnostics", "IssueExpression"]) {
        expect(callback[ref]).toEqual(api[ref]);
      }
      callbackCodes.push(code?.enum ?? []);
    }
    expect(callbackCodes[0]).toHaveLength(31); // FHIR R4 IssueType
    expect(callbackCodes[1]).toEqual(callbackCodes[0]);
    const apiCodes = api.OperationOutcomeIssue?.properties?.code?.enum ?? [];
    expect(apiCodes.length).toBeGreaterThan(0);
    expect(apiCodes.filter((c) => !callbackCodes[0]?.includes(c))).toEqual([]);
  });
});
