// `nhs-app contracts` end to end, as a CI job runs it: the pacts and the
// departures the CLI carries, checked against a release made from our own
// documents (kept) and against a broken one (exit 1, a FAILED line naming
// interaction and field), with --junit and --json; what it cannot read is a
// usage error in one line.
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { release, removeReleases } from "../../contract-check/test/release.ts";
import { ensureBuilt, isOneErrorLine, runCli, runInProcess } from "./support/cli.ts";

let dir: string;
beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), "nhs-app-cli-contracts-"));
});
afterAll(async () => {
  await removeReleases();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("nhs-app contracts", () => {
  it("exits 0 when every interaction keeps the release, and writes a JUnit file", async () => {
    const junit = path.join(dir, "kept.xml");
    const run = await runCli(["contracts", "--against", await release(), "--junit", junit]);
    expect(run.stderr).toBe("");
    expect(run.stdout).not.toContain("FAILED");
    expect(run.stdout).toMatch(/^(\d+) of \1 interactions checked keep that contract\.$/m);
    expect(run.code).toBe(0);
    const xml = readFileSync(junit, "utf8");
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites /);
    expect(xml).toContain('failures="0"');
  });

  it("exits 1 on a breaking release, a FAILED line naming document, interaction and field", async () => {
    const broken = await release({
      edit: {
        "nhs-app": (d) => {
          d.components.schemas.PatientReportEntry.properties.nhsNumber = { type: "integer" };
        },
      },
    });
    const run = await runInProcess(["contracts", "--against", broken]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^FAILED nhs-app: a request for the first page of the NHS App users at a GP practice: response body \[0\]\.nhsNumber: .*must be integer/m,
    );
    expect(run.stdout).toMatch(/^30 of 32 interactions checked keep that contract\.$/m);
  });

  it("prints JSON for CI with --json, with the same verdict and exit code", async () => {
    const run = await runInProcess(["contracts", "--against", await release({ without: ["oauth-token"] }), "--json"]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as {
      kept: boolean;
      counts: { checked: number; unchecked: number };
      pacts: { document: string; checked: boolean; reason?: string }[];
    };
    expect(result.kept).toBe(true);
    expect(result.counts.unchecked).toBe(1);
    expect(result.pacts.find((p) => p.document === "oauth-token")).toMatchObject({ checked: false });
  });

  it("refuses input it cannot read with exit 2 and one line", async () => {
    for (const args of [
      ["contracts", "--against", path.join(dir, "no-such-folder")],
      ["contracts"],
      ["contracts", "--against", dir],
      ["contracts", "--against", await release(), "--departures", path.join(dir, "no-departures.yaml")],
      ["contracts", "--against", await release(), "--junit", path.join(dir, "no-such-folder", "report.xml")],
    ]) {
      const run = await runInProcess(args);
      expect(run.code, `${args.join(" ")}\n${run.stdout}\n${run.stderr}`).toBe(2);
      expect(isOneErrorLine(run.stderr), run.stderr).toBe(true);
    }
    expect(existsSync(path.join(dir, "no-such-folder"))).toBe(false);
  });
});
