import { cpSync, mkdirSync } from "node:fs";
import { packageBuild } from "../../tsup.base.ts";

// The pacts the harness commits (contracts/pacts) and spec/departures.yaml are
// copied in beside the code, so an installed package carries the very files
// this repository checks, and no second copy of either is kept in git.
export default packageBuild({
  // import.meta.url in the CommonJS build, to find those files.
  shims: true,
  onSuccess: async () => {
    mkdirSync("dist/pacts", { recursive: true });
    cpSync("../../contracts/pacts", "dist/pacts", { recursive: true, filter: (file) => !/\/\.[^/]*$/.test(file) });
    cpSync("../../spec/departures.yaml", "dist/departures.yaml");
  },
});
