// The pacts verify against our bundled spec; and each deliberate breaking
// change to a copy of the spec makes the harness fail.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runHarness } from "./harness.ts";
import { mutations } from "./mutations.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const pactFile = path.resolve(here, "../pacts/nhs-app-api-client-nhs-app-api.json");
const specPath = path.resolve(here, "../../packages/types/openapi/nhs-app.json");
const tokenPactFile = path.resolve(here, "../pacts/nhs-app-api-client-platform-token-endpoint.json");
const tokenSpecPath = path.resolve(here, "../../packages/types/openapi/oauth-token.json");

describe("the contract harness", () => {
  it("verifies every interaction of the pact against the bundled spec, with Prism and statically", async () => {
    const result = await runHarness({ pactFile, specPath });
    expect(result.interactions.filter((i) => !i.passed)).toEqual([]);
    expect(result.interactions.length).toBeGreaterThanOrEqual(14);
    expect(result.comparison.errors).toEqual([]);
    expect(result.passed).toBe(true);
  });

  it("verifies the token exchange against the token endpoint's spec, with Prism and statically", async () => {
    const result = await runHarness({ pactFile: tokenPactFile, specPath: tokenSpecPath });
    expect(result.interactions.filter((i) => !i.passed)).toEqual([]);
    expect(result.interactions.length).toBeGreaterThanOrEqual(1);
    expect(result.passed).toBe(true);
  });

  // Each mutation runs the whole harness on its own copy of the spec, with its own Prism: they can run side by side.
  describe.concurrent("bites when the contract breaks", () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), "nhs-app-mutant-"));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    for (const mutation of mutations) {
      it(`fails when the spec changes: ${mutation.name}`, async () => {
        const token = mutation.document === "oauth-token";
        const spec = JSON.parse(await readFile(token ? tokenSpecPath : specPath, "utf8"));
        mutation.apply(spec);
        const mutant = path.join(dir, `${mutation.name.replace(/\W+/g, "-")}.json`);
        await writeFile(mutant, JSON.stringify(spec));
        const result = await runHarness({ pactFile: token ? tokenPactFile : pactFile, specPath: mutant });
        const caughtBy = [
          ...(result.interactions.some((i) => !i.passed) ? ["Prism verification"] : []),
          ...(result.comparison.success ? [] : ["static comparison"]),
        ];
        expect(result.passed).toBe(false);
        expect(caughtBy.length).toBeGreaterThan(0);
        if (mutation.caughtBy) expect(caughtBy).toContain(mutation.caughtBy);
      });
    }
  });
});
