import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Options } from "tsup";
import { packageBuild } from "../../tsup.base.ts";

const packageJsonPath = fileURLToPath(new URL("./package.json", import.meta.url));
const { version } = JSON.parse(readFileSync(packageJsonPath, "utf8")) as { version: string };

// src/version.ts imports package.json for its version: bundle that field
// alone, not the whole manifest (dependencies, scripts) into dist.
const versionOnly: NonNullable<Options["esbuildPlugins"]>[number] = {
  name: "package-json-version-only",
  setup(build) {
    build.onLoad({ filter: /[\\/]package\.json$/ }, (args) =>
      args.path === packageJsonPath ? { contents: JSON.stringify({ version }), loader: "json" } : undefined,
    );
  },
};

export default packageBuild({ esbuildPlugins: [versionOnly] });
