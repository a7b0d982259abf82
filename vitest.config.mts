import path from "node:path";
import { defineConfig } from "vitest/config";

// TEST_DB=postgres runs the same suites on a throwaway PostgreSQL cluster (tests/pg-global-setup.ts).
const postgres = process.env.TEST_DB === "postgres";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["tests/**/*.test.ts"],
    environment: "node",
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
    globalSetup: postgres ? ["tests/pg-global-setup.ts"] : [],
    // The JSON report lets .ci/run sum unit and e2e results into one line.
    reporters: ["default", "json"],
    outputFile: { json: postgres ? "reports/unit-postgres.json" : "reports/unit-results.json" },
  },
});
