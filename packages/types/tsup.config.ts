import { packageBuild } from "../../tsup.base.ts";

// Type-only entry points, built for both module systems so that ESM and CJS
// consumers each get declarations of their own kind (.d.ts and .d.cts).
export default packageBuild({
  entry: ["src/index.ts", "src/realtime-receipts.ts", "src/realtime-replies.ts", "src/oauth-token.ts"],
  sourcemap: false,
});
