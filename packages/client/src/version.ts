// The package's own version, from its package.json: inlined by the build
// (tsup.config.ts keeps only this field) and read as it is from source.
import packageJson from "../package.json" with { type: "json" };

export const CLIENT_VERSION: string = packageJson.version;
