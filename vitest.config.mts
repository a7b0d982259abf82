import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["tests/**/*.test.ts"],
    environment: "node",
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
    // The JSON report lets .ci/run sum unit and e2e results into one line.
    reporters: ["default", "json"],
    outputFile: { json: "reports/unit-results.json" },
  },
});
