import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["scripts/**/*.test.ts", "test/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    // Several tests start Redocly or tsc in a child process.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { REDOCLY_TELEMETRY: "off", PACT_DO_NOT_TRACK: "true" },
  },
});
