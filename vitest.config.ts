import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start real processes and servers; two cores are all we have.
    maxWorkers: 2,
    reporters: ["default"],
    // A temp dir per run, removed at the end: tests leave the machine's temp dir as they found it.
    globalSetup: ["test/helpers/temp-guard.ts"],
  },
});
