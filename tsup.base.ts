import { defineConfig, type Options } from "tsup";

/**
 * How every package is built: ESM and CommonJS side by side, with declarations
 * of each kind. A package passes only what differs (its entries, shims).
 *
 * NHS_APP_BUILD_DECLARATIONS=off skips the declarations, which are most of a
 * build's time: for tests that rebuild a copy of the tree only to run it (the
 * spec-change test). A release always builds them; publint and attw check it.
 */
export function packageBuild(options: Options = {}) {
  return defineConfig({
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: process.env.NHS_APP_BUILD_DECLARATIONS !== "off",
    clean: true,
    sourcemap: true,
    target: "node20",
    ...options,
  });
}
