import { defineConfig } from "tsup";

// Type-only entry points, built for both module systems so that ESM and CJS
// consumers each get declarations of their own kind (.d.ts and .d.cts).
export default defineConfig({
  entry: ["src/index.ts", "src/realtime-receipts.ts", "src/realtime-replies.ts", "src/oauth-token.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: false,
  target: "node20",
});
