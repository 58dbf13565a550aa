import { packageBuild } from "../../tsup.base.ts";

// An executable, not a library: one ES module with a shebang, no declarations.
export default packageBuild({
  format: ["esm"],
  dts: false,
  sourcemap: false,
  banner: { js: "#!/usr/bin/env node" },
});
