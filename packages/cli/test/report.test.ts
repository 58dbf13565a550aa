// `nhs-app report` end to end against the sandbox's multi-page reports: every
// page is fetched, in each format, with progress on stderr only.
import type { Sandbox } from "@nhs-app-api/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, isOneErrorLine, runCli } from "./support/cli.ts";
import { sandboxFor } from "./support/sandbox.ts";

let sandbox: Sandbox;
let env: Record<string, string>;
// The sandbox's page sizes: 4 receipts and 3 patients a page.
const RECEIPT_PAGES = 3;
const PATIENT_PAGES = 4;

beforeAll(async () => {
  await ensureBuilt();
  ({ sandbox, env } = await sandboxFor({ receiptPages: RECEIPT_PAGES, patientPages: PATIENT_PAGES }));
});
afterAll(async () => {
  await sandbox?.stop();
});

/** A small RFC 4180 reader, for checking the CLI's writer from the outside. */
function readCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      i++;
    } else field += c;
  }
  return records;
}

const progress = (stderr: string) => stderr.trim().split("\n");
const pagesAsked = (day: string) => sandbox.gateway.requests.filter((r) => r.url.includes(`day=${day}`)).length;

describe("nhs-app report", () => {
  it("writes every receipt of every page as one JSON array, with progress on stderr", async () => {
    const run = await runCli(["report", "receipts", "--day", "2026-11-23"], env);
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as { resourceType: string; id: string }[];
    expect(rows).toHaveLength(RECEIPT_PAGES * 4);
    expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length);
    expect(rows.every((row) => row.resourceType === "Task")).toBe(true);
    expect(progress(run.stderr)).toEqual(["page 1 of 3, 4 rows", "page 2 of 3, 8 rows", "page 3 of 3, 12 rows"]);
    expect(pagesAsked("2026-11-23")).toBe(RECEIPT_PAGES);
  });

  it("writes NDJSON: one receipt a line, the same receipts as JSON", async () => {
    const [json, ndjson] = await Promise.all([
      runCli(["report", "receipts", "--day", "2026-11-24", "--quiet"], env),
      runCli(["report", "receipts", "--day", "2026-11-24", "--format", "ndjson", "--quiet"], env),
    ]);
    expect(ndjson.code).toBe(0);
    expect(ndjson.stderr).toBe("");
    const lines = ndjson.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(RECEIPT_PAGES * 4);
    expect(lines.map((line) => JSON.parse(line))).toEqual(JSON.parse(json.stdout));
  });

  it("writes receipts as CSV with a header row, one record each, CRLF line ends", async () => {
    const [json, csv] = await Promise.all([
      runCli(["report", "receipts", "--day", "2026-11-25", "--quiet"], env),
      runCli(["report", "receipts", "--day", "2026-11-25", "--format", "csv", "--quiet"], env),
    ]);
    expect(csv.code).toBe(0);
    expect(csv.stdout.endsWith("\r\n")).toBe(true);
    const [header, ...records] = readCsv(csv.stdout);
    expect(header).toEqual([
      "id",
      "communicationId",
      "code",
      "status",
      "statusReason",
      "authoredOn",
      "lastModified",
      "campaignId",
      "requestReference",
    ]);
    const tasks = JSON.parse(json.stdout) as {
      id: string;
      status: string;
      code: { coding: { code: string }[] };
      identifier: { value: string }[];
    }[];
    expect(records).toHaveLength(tasks.length);
    expect(records.map((r) => [r[0], r[1], r[2], r[3]])).toEqual(
      tasks.map((t) => [t.id, t.identifier[0]?.value, t.code.coding[0]?.code, t.status]),
    );
    expect(records.find((r) => r[2] === "Rejected")?.[4]).toBe("NHS number not found");
  });

  it("walks all pages of the patient report, in each format", async () => {
    const report = (format: string) => runCli(["report", "patients", "--ods", "T00001", "--format", format], env);
    const [json, ndjson, csv] = await Promise.all([report("json"), report("ndjson"), report("csv")]);
    for (const run of [json, ndjson, csv]) {
      expect(run.code).toBe(0);
      expect(progress(run.stderr).at(-1)).toBe(`page ${PATIENT_PAGES} of ${PATIENT_PAGES}, ${PATIENT_PAGES * 3} rows`);
    }
    const patients = JSON.parse(json.stdout) as { nhsNumber: string; notificationsEnabled: boolean }[];
    expect(patients).toHaveLength(PATIENT_PAGES * 3);
    expect(
      ndjson.stdout
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line)),
    ).toEqual(patients);
    expect(readCsv(csv.stdout)).toEqual([
      ["nhsNumber", "notificationsEnabled"],
      ...patients.map((p) => [p.nhsNumber, String(p.notificationsEnabled)]),
    ]);
  });

  it("refuses a day the contract refuses, and an unknown format, before sending anything", async () => {
    const before = sandbox.gateway.requests.length;
    const day = await runCli(["report", "receipts", "--day", "2026-02-30"], env);
    expect(day.code).toBe(2);
    expect(day.stderr).toBe("nhs-app: --day: Invalid format\n");
    const format = await runCli(["report", "patients", "--ods", "T00001", "--format", "xml"], env);
    expect(format.code).toBe(2);
    expect(isOneErrorLine(format.stderr)).toBe(true);
    expect(format.stderr).toContain("Allowed choices are json, ndjson, csv");
    expect(sandbox.gateway.requests).toHaveLength(before);
  });

  it("stops with one error line and exit 1 when the server refuses a later page", async () => {
    // The sandbox refuses page 2 of this one day, as the API refuses a missing permission (403 is not retried).
    const handle = sandbox.gateway.handle.bind(sandbox.gateway);
    sandbox.gateway.handle = async (request) => {
      const url = new URL(request.url);
      if (url.searchParams.get("day") !== "2026-11-26" || url.searchParams.get("page") !== "2") return handle(request);
      return {
        status: 403,
        headers: { "content-type": "application/fhir+json" },
        body: {
          resourceType: "OperationOutcome",
          issue: [
            { severity: "error", code: "forbidden", diagnostics: "Application does not have receipts report access" },
          ],
        },
      };
    };
    try {
      const run = await runCli(["report", "receipts", "--day", "2026-11-26", "--format", "ndjson"], env);
      expect(run.code).toBe(1);
      const [first, ...rest] = run.stderr.trimEnd().split("\n");
      expect(first).toBe("page 1 of 3, 4 rows");
      expect(isOneErrorLine(rest.join("\n"))).toBe(true);
      expect(rest[0]).toContain("Application does not have receipts report access");
      // What was read before the refusal was written out.
      expect(run.stdout.trimEnd().split("\n")).toHaveLength(4);
    } finally {
      sandbox.gateway.handle = handle;
    }
  });
});
