import { defineConfig } from "@playwright/test";
import { CHROMIUM_ARGS, chromiumExecutable } from "./e2e/browser";
import { SERVERS, serverUrl } from "./e2e/servers";

export { CHROMIUM_ARGS };

export default defineConfig({
  testDir: "./e2e",
  // Pictures of every page for a human to look at, only on request (see e2e/screenshots.spec.ts).
  testIgnore: process.env.SCREENSHOTS ? [] : ["**/screenshots.spec.ts"],
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: [["list"], ["json", { outputFile: "reports/e2e-results.json" }]],
  use: {
    baseURL: serverUrl("main"),
    headless: true,
    // CHROMIUM_PATH, Playwright's own download, or a system Chromium or Chrome (e2e/browser.ts).
    launchOptions: { executablePath: chromiumExecutable(), args: CHROMIUM_ARGS },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  webServer: [
    {
      // One production build, then four servers from it (see e2e/servers.ts).
      command: "npx next build && npx tsx e2e/start-server.ts main",
      url: `${serverUrl("main")}/api/auth/session`,
      timeout: 300_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      command: "npx tsx e2e/start-server.ts short",
      url: `${serverUrl("short")}/api/auth/session`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      // EMAIL_VERIFICATION=required
      command: "npx tsx e2e/start-server.ts required",
      url: `${serverUrl("required")}/api/auth/session`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      // `short` on PostgreSQL: start-server.ts starts a throwaway cluster and destroys it when it
      // stops, so it is stopped with SIGTERM (Playwright's default is SIGKILL) and runs under node
      // itself (tsx's CLI would SIGKILL it while the cluster shuts down).
      command: "node --import tsx e2e/start-server.ts pg",
      url: `${serverUrl("pg")}/api/auth/session`,
      timeout: 90_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
      gracefulShutdown: { signal: "SIGTERM", timeout: 20_000 },
    },
  ],
});

export { SERVERS };
