import { packageBuild } from "../../tsup.base.ts";

// import.meta.url in the CommonJS build (the spec is found relative to the module).
export default packageBuild({ shims: true });
