// `nhs-app validate` end to end: every example of the callback specs and
// messages built by the client's builders are valid; broken bodies list
// their issues with paths and exit 1; a body of no known kind needs --as.
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { inAppMessage, keywordReply, pushNotification } from "@nhs-app-api/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, isOneErrorLine, packageDir, runCli, runInProcess } from "./support/cli.ts";

let dir: string;
let counter = 0;

async function file(content: unknown): Promise<string> {
  const name = path.join(dir, `body-${++counter}.json`);
  await writeFile(name, typeof content === "string" ? content : JSON.stringify(content));
  return name;
}

/** The callback specs' examples, read straight from the bundles (not through the CLI's own reader). */
function examples(document: string): [string, Record<string, unknown>][] {
  const bundle = JSON.parse(
    readFileSync(path.join(packageDir, "..", "types", "openapi", `${document}.json`), "utf8"),
  ) as { components: { examples: Record<string, { value: Record<string, unknown> }> } };
  return Object.entries(bundle.components.examples).map(([name, example]) => [name, example.value]);
}

const receipts = examples("realtime-receipts");
const replies = examples("realtime-replies");

beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), "nhs-app-cli-validate-"));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("nhs-app validate", () => {
  it("finds every receipt and reply example of the callback specs valid, and tells their kind", async () => {
    expect(receipts.length).toBeGreaterThan(0);
    expect(replies.length).toBeGreaterThan(0);
    for (const [kind, list] of [
      ["receipt callback", receipts],
      ["reply callback", replies],
    ] as const) {
      for (const [name, body] of list) {
        const run = await runInProcess(["validate", await file(body)]);
        expect({ name, ...run }).toEqual({ name, code: 0, stdout: `valid ${kind}\n`, stderr: "" });
      }
    }
  });

  it("finds messages built by the client's builders valid, in-app and push told apart", async () => {
    const inApp = inAppMessage({
      nhsNumber: "9434765919",
      odsCode: "B82041",
      text: "Hi",
      reply: keywordReply(["YES"]),
    });
    const push = pushNotification({ nhsNumber: "9434765919", text: "Hi", url: "https://www.nhsapp.service.nhs.uk/" });
    expect(await runCli(["validate", await file(inApp)])).toMatchObject({ code: 0, stdout: "valid in-app message\n" });
    expect(await runInProcess(["validate", await file(push)])).toMatchObject({
      code: 0,
      stdout: "valid push notification\n",
    });
  });

  it("lists an invalid in-app message's issues one per line with their paths, and exits 1", async () => {
    const bad = inAppMessage({ nhsNumber: "9434765910", odsCode: "B82041", text: "x".repeat(5001) });
    const run = await runInProcess(["validate", await file(bad)]);
    expect(run.code).toBe(1);
    expect(run.stdout.trimEnd().split("\n").sort()).toEqual([
      "payload[0].contentString: Exceeds maximum length",
      "recipient[0].identifier.value: NHS Number is invalid",
    ]);
    expect(run.stderr).toBe("nhs-app: not a valid in-app message (2 issues)\n");
    expect(run.stdout + run.stderr).not.toContain("9434765910");
  });

  it("lists a broken receipt's and a broken reply's issues by path", async () => {
    const [, receipt] = receipts[0] ?? [];
    const { lastModified: _dropped, ...withoutLastModified } = receipt ?? {};
    const receiptRun = await runInProcess(["validate", await file(withoutLastModified)]);
    expect(receiptRun.code).toBe(1);
    expect(receiptRun.stdout).toMatch(/^lastModified: /m);

    const [, reply] = replies[0] ?? [];
    const replyRun = await runInProcess(["validate", await file({ ...reply, basedOn: [] })]);
    expect(replyRun.code).toBe(1);
    expect(replyRun.stdout).toMatch(/^basedOn/m);
  });

  it("judges a body as the kind --as names", async () => {
    const push = pushNotification({ nhsNumber: "9434765919", text: "Hi", url: "https://www.nhsapp.service.nhs.uk/" });
    const run = await runInProcess(["validate", await file(push), "--as", "in-app"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^payload\[0\]\.contentString: /m);
    expect(run.stderr).toMatch(/^nhs-app: not a valid in-app message \(\d+ issues?\)\n$/);
  });

  it("prints the verdict as JSON with --json", async () => {
    const [, receipt] = receipts[0] ?? [];
    const run = await runInProcess(["validate", await file({ ...receipt, intent: undefined }), "--json"]);
    expect(run.code).toBe(1);
    const verdict = JSON.parse(run.stdout) as { kind: string; valid: boolean; issues: { path: string }[] };
    expect(verdict).toMatchObject({ kind: "receipt", valid: false });
    expect(verdict.issues.map((issue) => issue.path)).toContain("intent");
  });

  it("says where a file stops being JSON without quoting it, and exits 1", async () => {
    const run = await runInProcess(["validate", await file('{"nhsNumber": "9434765919",\n  oops}')]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("(body): The file is not valid JSON (at line 2, column 3)\n");
    expect(run.stdout + run.stderr).not.toContain("9434765919");
    expect(isOneErrorLine(run.stderr)).toBe(true);
  });

  it("gives text that is not JSON to the callbacks' parser when --as names a callback", async () => {
    const run = await runInProcess(["validate", await file("not json at all"), "--as", "receipt"]);
    expect(run).toMatchObject({ code: 1, stdout: "(body): The body is not valid JSON\n" });
    expect(run.stderr).toBe("nhs-app: not a valid receipt callback (1 issue)\n");
  });

  it("asks for --as when the kind cannot be told, and names a missing file: usage errors", async () => {
    const unknown = await runInProcess(["validate", await file({ resourceType: "Patient" })]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^nhs-app: cannot tell what .* is \(resourceType Patient\): give --as in-app\|push\|receipt\|reply\n$/,
    );
    const missing = await runInProcess(["validate", path.join(dir, "nowhere.json")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`nhs-app: the file ${path.join(dir, "nowhere.json")} does not exist\n`);
  });
});
