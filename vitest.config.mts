import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Each file loads the Pulumi SDK and its mock runtime, which keeps
    // process-wide state, so files run in separate forked processes.
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
