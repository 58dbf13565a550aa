// The pacts verify against our bundled spec; and each deliberate breaking
// change to a copy of the spec makes the harness fail: every one the static
// half, and those marked so Prism's verification too, on its own. Every run
// of the harness happens once, before the tests, in two child processes;
// each test then reads its own result.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HarnessJob, type HarnessResult, runHarnesses } from "./harness.ts";
import { mutations } from "./mutations.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const pactFile = path.resolve(here, "../pacts/nhs-app-api-client-nhs-app-api.json");
const specPath = path.resolve(here, "../../packages/types/openapi/nhs-app.json");
const tokenPactFile = path.resolve(here, "../pacts/nhs-app-api-client-platform-token-endpoint.json");
const tokenSpecPath = path.resolve(here, "../../packages/types/openapi/oauth-token.json");

/** The jobs of this suite: the two baselines, then one per mutation, each on its own copy of the spec. */
interface Case {
  name: string;
  job: HarnessJob;
  caughtBy?: string;
}
let dir: string;
const results = new Map<string, HarnessResult>();

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "nhs-app-mutant-"));
  const cases: Case[] = [
    { name: "baseline", job: { pactFile, specPath } },
    { name: "token baseline", job: { pactFile: tokenPactFile, specPath: tokenSpecPath } },
  ];
  for (const mutation of mutations) {
    const token = mutation.document === "oauth-token";
    const spec = JSON.parse(await readFile(token ? tokenSpecPath : specPath, "utf8"));
    mutation.apply(spec);
    const mutant = path.join(dir, `${mutation.name.replace(/\W+/g, "-")}.json`);
    await writeFile(mutant, JSON.stringify(spec));
    // The static half is cheap and runs on every mutant; Prism and the verifier, where the mutation says that
    // half must catch it on its own.
    cases.push({
      name: mutation.name,
      job: {
        pactFile: token ? tokenPactFile : pactFile,
        specPath: mutant,
        prism: mutation.caughtBy === "Prism verification",
      },
    });
  }
  // Every job in one go, shared between two child processes (one Prism per job, in-process, on its own port).
  const answers = await runHarnesses(
    cases.map((c) => c.job),
    { processes: 2 },
  );
  for (const [i, c] of cases.entries()) results.set(c.name, answers[i] as HarnessResult);
}, 300_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

function resultOf(name: string): HarnessResult {
  const result = results.get(name);
  if (!result) throw new Error(`no harness result for ${name}`);
  return result;
}

describe("the contract harness", () => {
  it("verifies every interaction of the pact against the bundled spec, with Prism and statically", () => {
    const result = resultOf("baseline");
    expect(result.interactions.filter((i) => !i.passed)).toEqual([]);
    expect(result.interactions.length).toBeGreaterThanOrEqual(14);
    expect(result.comparison.errors).toEqual([]);
    expect(result.passed).toBe(true);
  });

  it("verifies the token exchange against the token endpoint's spec, with Prism and statically", () => {
    const result = resultOf("token baseline");
    expect(result.interactions.filter((i) => !i.passed)).toEqual([]);
    expect(result.interactions.length).toBeGreaterThanOrEqual(1);
    expect(result.passed).toBe(true);
  });

  describe("bites when the contract breaks", () => {
    for (const mutation of mutations) {
      it(`fails when the spec changes: ${mutation.name}`, () => {
        const result = resultOf(mutation.name);
        const caughtBy = [
          ...(result.interactions.some((i) => !i.passed) ? ["Prism verification"] : []),
          ...(result.comparison.success ? [] : ["static comparison"]),
        ];
        expect(result.passed).toBe(false);
        expect(caughtBy).toContain("static comparison");
        if (mutation.caughtBy) expect(caughtBy).toContain(mutation.caughtBy);
      });
    }
  });
});
