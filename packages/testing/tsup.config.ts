import { packageBuild } from "../../tsup.base.ts";

export default packageBuild({
  // The main entry and the msw handlers apart, so that importing the first never loads msw.
  entry: ["src/index.ts", "src/msw.ts"],
  // import.meta.url in the CommonJS build (the spec is found relative to the module).
  shims: true,
});
