// `pnpm generate --check` is what stops a spec change from landing without
// its generated types. It must pass on the committed tree and fail, naming the
// stale files and the fix, when spec/ changes and nothing is regenerated.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runTool, scratchCopy } from "./helpers.ts";

/** The spec and everything generated from it. */
const GENERATED = ["spec", "packages/types/openapi", "packages/types/src", "packages/contract/src/generated"];

const check = (root?: string) =>
  runTool("tsx", ["scripts/generate.ts", "--check"], root ? { env: { NHS_APP_API_REPO_ROOT: root } } : {});

describe("generated output drift check", () => {
  let copy: Awaited<ReturnType<typeof scratchCopy>> | undefined;
  afterEach(async () => {
    await copy?.remove();
    copy = undefined;
  });

  it("passes on the committed tree", async () => {
    const result = await check();
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Generated output is up to date \(\d+ files checked\)/);
  });

  it("fails, naming the stale files and the command that fixes them, after a schema edit", async () => {
    copy = await scratchCopy(GENERATED);
    await copy.edit("spec/components/schemas/PushNotificationRequest.yaml", "maxLength: 200", "maxLength: 180");
    const result = await check(copy.root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("packages/types/openapi/nhs-app.json is stale");
    expect(result.stderr).toContain("packages/types/openapi/nhs-app.yaml is stale");
    expect(result.stderr).toContain("Fix: run `pnpm generate`");
  });

  // Edits to the generated files alone (the spec untouched) share one copy and
  // one check: each must be named, and nothing else may be.
  describe("after hand edits to generated files", () => {
    let copy: Awaited<ReturnType<typeof scratchCopy>> | undefined;
    let result: Awaited<ReturnType<typeof check>>;
    let named: string[] = [];

    beforeAll(async () => {
      copy = await scratchCopy(GENERATED);
      const { rm, writeFile } = await import("node:fs/promises");
      await copy.edit("packages/contract/src/generated/contract.ts", '"contentString": 5000', '"contentString": 6000');
      await copy.edit("packages/contract/src/generated/validators-nhs-app.ts", "> 5000", "> 6000");
      await copy.edit("packages/types/src/oauth-token.ts", "access_token: string;", "access_token: number;");
      await rm(copy.path("packages/types/src/realtime-replies.ts"));
      await writeFile(copy.path("packages/types/openapi/old-api.json"), "{}");
      result = await check(copy.root);
      named = [...result.stderr.matchAll(/^\s*- (\S+) is (?:stale|missing|not generated)/gm)].map(
        (match) => match[1] ?? "",
      );
    });
    afterAll(async () => {
      await copy?.remove();
    });

    it("fails", () => {
      expect(result.code).toBe(1);
    });

    it("names a run-time contract (a limit, a validator) that no longer matches the spec", () => {
      expect(result.stderr).toContain("packages/contract/src/generated/contract.ts is stale");
      expect(result.stderr).toContain("packages/contract/src/generated/validators-nhs-app.ts is stale");
    });

    it("names a type that changed although the bundle text does not need to", () => {
      expect(result.stderr).toContain("packages/types/src/oauth-token.ts is stale");
    });

    it("names a generated file that is missing, and one left over", () => {
      expect(result.stderr).toContain("packages/types/src/realtime-replies.ts is missing");
      expect(result.stderr).toContain("packages/types/openapi/old-api.json is not generated from spec/ any more");
    });

    it("names nothing it was not given (the bundles and the other files are up to date)", () => {
      expect(named.sort()).toEqual([
        "packages/contract/src/generated/contract.ts",
        "packages/contract/src/generated/validators-nhs-app.ts",
        "packages/types/openapi/old-api.json",
        "packages/types/src/oauth-token.ts",
        "packages/types/src/realtime-replies.ts",
      ]);
    });
  });
});
