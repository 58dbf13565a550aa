import { defineConfig } from "vitest/config";

// The consumer tests write the pact; they run one file at a time so that
// pact-js merges each file's interactions into the same pact file in order.
export default defineConfig({
  test: {
    include: ["consumer/**/*.pact.test.ts", "verify/**/*.test.ts", "callbacks/**/*.test.ts"],
    fileParallelism: false,
    // Concurrent tests (the --against runs) each start a harness of their own: at most three at a time.
    maxConcurrency: 3,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    env: { PACT_DO_NOT_TRACK: "true", REDOCLY_TELEMETRY: "off" },
  },
});
