// Run against NHS England's published documents (../shared/published beside
// the repository, or NHS_APP_PUBLISHED_DIR), spec:compare must find every
// difference explained by spec/departures.yaml. When the publisher changes
// its spec, this is the test that says so. Without the files (a fork), it is
// skipped and pnpm test's summary says so.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compareWithPublished } from "../scripts/spec-compare/compare.ts";
import { noteSkipped, publishedDir } from "./published.ts";

const published = publishedDir();
if (!published) noteSkipped("the comparison of spec/ with NHS England's published files");

describe.runIf(published !== undefined)("our spec against the published contract", () => {
  it.each([
    ["specification/nhs-app.yaml", "nhs-app"],
    ["specifications-callbacks/realtime-receipts/realtime-receipt.yaml", "realtime-receipts"],
    ["specifications-callbacks/realtime-replies/realtime-replies.yaml", "realtime-replies"],
  ])("%s differs only where a departure explains it", async (file, alias) => {
    const result = await compareWithPublished(path.join(published as string, file));
    expect(result.ours.alias).toBe(alias);
    expect(result.differences.filter((d) => !d.departure).map((d) => `${d.kind} ${d.key}`)).toEqual([]);
    expect(result.unusedDepartures.map((d) => d.id)).toEqual([]);
    expect(result.differences.length).toBeGreaterThan(0);
  });
});
