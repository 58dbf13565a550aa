// Proves that @nhs-app-api/types works for consumers with the strictest
// compiler settings (strict, exactOptionalPropertyTypes,
// noUncheckedIndexedAccess, skipLibCheck false) as ESM and as CommonJS, and
// that the types reject malformed bodies. Needs the package built (`pnpm build`).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
const tsc = path.resolve(here, "../../../node_modules/.bin/tsc");
const run = promisify(execFile);
const compile = (project: string) =>
  run(tsc, ["-p", path.join(here, project)]).then(
    () => ({ code: 0, output: "" }),
    (error: { code: number; stdout: string }) => ({ code: error.code, output: error.stdout }),
  );

describe("@nhs-app-api/types for a strict consumer", () => {
  beforeAll(async () => {
    if (!existsSync(path.resolve(here, "../dist/index.d.ts"))) {
      throw new Error("packages/types is not built: run `pnpm build` (pnpm test does it first)");
    }
    // The CommonJS consumer is the ESM consumer's own text as a .cts file (git ignores the copy).
    const esm = await readFile(path.join(here, "consumer-esm/consumer.ts"), "utf8");
    await writeFile(
      path.join(here, "consumer-cjs/consumer.cts"),
      `// Copied from consumer-esm/consumer.ts by consumers.test.ts.\n${esm}`,
    );
  });

  it("compiles in an ESM project, @ts-expect-error lines included", async () => {
    expect(await compile("consumer-esm/tsconfig.json")).toEqual({ code: 0, output: "" });
  });

  it("compiles in a CommonJS project, @ts-expect-error lines included", async () => {
    expect(await compile("consumer-cjs/tsconfig.json")).toEqual({ code: 0, output: "" });
  });

  it("rejects an in-app message without a recipient and one with status draft", async () => {
    const result = await compile("consumer-esm/tsconfig.negative.json");
    expect(result.code).not.toBe(0);
    const errors = result.output.split("\n").filter((line) => line.includes("error TS"));
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/negative\.ts\(5,14\): error TS2741: Property 'recipient' is missing/);
    expect(errors[1]).toMatch(
      /negative\.ts\(14,3\): error TS2322: Type '"draft"' is not assignable to type '"active"'/,
    );
  });

  it("ships the bundled spec for consumers' own tools, from ESM and CommonJS", async () => {
    const requireFromCjs = createRequire(path.join(here, "consumer-cjs/package.json"));
    const spec = requireFromCjs("@nhs-app-api/types/openapi.json") as { openapi: string; info: { title: string } };
    expect(spec.openapi).toBe("3.0.3");
    expect(spec.info.title).toBe("NHS App API");
    const replies = requireFromCjs("@nhs-app-api/types/openapi/realtime-replies.json") as { openapi: string };
    expect(replies.openapi).toBe("3.1.0");
    const esmEntry = requireFromCjs.resolve("@nhs-app-api/types");
    expect(path.basename(esmEntry)).toBe("index.cjs");
  });
});
