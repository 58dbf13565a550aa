// `pnpm spec:docs` must produce pages that open offline: one per document,
// with Redoc embedded and nothing loaded from another host.
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleBase, documents } from "../scripts/lib/documents.ts";
import { runTool, scratchCopy } from "./helpers.ts";

describe("API reference pages", () => {
  let copy: Awaited<ReturnType<typeof scratchCopy>>;
  beforeAll(async () => {
    copy = await scratchCopy(["spec"]);
    const result = await runTool("tsx", ["scripts/docs.ts"], { env: { NHS_APP_API_REPO_ROOT: copy.root } });
    if (result.code !== 0) throw new Error(`spec:docs failed: ${result.stderr}`);
  });
  afterAll(async () => {
    await rm(copy.root, { recursive: true, force: true });
  });

  it.each(documents.map((d) => [d.alias]))(
    "%s.html embeds Redoc and loads nothing from another host",
    async (alias) => {
      const html = await readFile(path.join(copy.root, "docs/api", `${alias}.html`), "utf8");
      const external = [...html.matchAll(/<(script|link|img)\b[^>]*\b(src|href)=["']?(https?:)?\/\//gi)].map(
        (m) => m[0],
      );
      expect(external).toEqual([]);
      expect(html.includes("cdn.redocly.com/redoc/")).toBe(false);
      // Redoc itself is inside the page (megabytes of script), and so is the document.
      expect(html.length).toBeGreaterThan(500_000);
      expect(html.includes('id="redoc"')).toBe(true);
      const doc = documents.find((d) => d.alias === alias) as (typeof documents)[0];
      const bundle = JSON.parse(await readFile(`${bundleBase(doc)}.json`, "utf8")) as { info: { title: string } };
      expect(html.includes(bundle.info.title)).toBe(true);
    },
  );
});
