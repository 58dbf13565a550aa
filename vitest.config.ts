import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["scripts/**/*.test.ts", "test/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    // Several tests start Redocly or tsc in a child process, and wait on it: two files at a time keep
    // two cores busy (vitest would otherwise run one at a time on a two-core machine).
    maxWorkers: 2,
    // Several tests start Redocly or tsc in a child process.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { REDOCLY_TELEMETRY: "off", PACT_DO_NOT_TRACK: "true" },
  },
});
