import { packageBuild } from "../../tsup.base.ts";

// Shims: the CommonJS build's import.meta.url, with which the SQLite journal finds better-sqlite3 on Node 20.
export default packageBuild({ shims: true });
