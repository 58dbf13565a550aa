// `pnpm generate --check` is what stops a spec change from landing without
// its generated types. It must pass on the committed tree and fail, naming the
// stale files and the fix, when spec/ changes and nothing is regenerated.
import { afterEach, describe, expect, it } from "vitest";
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

  it("fails when the run-time contract (a limit, a validator) no longer matches the spec", async () => {
    copy = await scratchCopy(GENERATED);
    await copy.edit("packages/contract/src/generated/contract.ts", '"contentString": 5000', '"contentString": 6000');
    await copy.edit("packages/contract/src/generated/validators-nhs-app.ts", "> 5000", "> 6000");
    const result = await check(copy.root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("packages/contract/src/generated/contract.ts is stale");
    expect(result.stderr).toContain("packages/contract/src/generated/validators-nhs-app.ts is stale");
    expect(result.stderr).not.toContain("packages/types");
  });

  it("fails when a type changes but the bundle text does not need to", async () => {
    copy = await scratchCopy(GENERATED);
    await copy.edit("packages/types/src/oauth-token.ts", "access_token: string;", "access_token: number;");
    const result = await check(copy.root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("packages/types/src/oauth-token.ts is stale");
    expect(result.stderr).not.toContain("openapi/");
  });

  it("fails when a generated file is missing or left over", async () => {
    copy = await scratchCopy(GENERATED);
    const { rm, writeFile } = await import("node:fs/promises");
    await rm(copy.path("packages/types/src/realtime-replies.ts"));
    await writeFile(copy.path("packages/types/openapi/old-api.json"), "{}");
    const result = await check(copy.root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("packages/types/src/realtime-replies.ts is missing");
    expect(result.stderr).toContain("packages/types/openapi/old-api.json is not generated from spec/ any more");
  });
});
