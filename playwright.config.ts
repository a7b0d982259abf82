import { defineConfig } from "@playwright/test";
import { CHROMIUM_ARGS, chromiumExecutable } from "./e2e/browser";
import { PROVIDER_PORTS, SERVERS, readyUrl, serverUrl } from "./e2e/servers";

export { CHROMIUM_ARGS };

export default defineConfig({
  testDir: "./e2e",
  // Pictures of every page for a human to look at, only on request (see e2e/screenshots.spec.ts).
  testIgnore: process.env.SCREENSHOTS ? [] : ["**/screenshots*.spec.ts"],
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
      url: readyUrl("main"),
      timeout: 300_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      command: "npx tsx e2e/start-server.ts short",
      url: readyUrl("short"),
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      // EMAIL_VERIFICATION=required
      command: "npx tsx e2e/start-server.ts required",
      url: readyUrl("required"),
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
      url: readyUrl("pg"),
      timeout: 90_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
      gracefulShutdown: { signal: "SIGTERM", timeout: 20_000 },
    },
    {
      // `main` on http://localhost with GitHub and an OpenID provider: passkeys and "Continue with …".
      command: "npx tsx e2e/start-server.ts local",
      url: readyUrl("local"),
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      // The test OpenID provider (oidc-provider) that `local` signs in with.
      command: `npx tsx tests/providers/openid-provider.ts ${PROVIDER_PORTS.oidc} ${serverUrl("local")}/api/auth/oauth/oidc/callback`,
      url: `http://127.0.0.1:${PROVIDER_PORTS.oidc}/.well-known/openid-configuration`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      // The GitHub stand-in that `local` signs in with.
      command: `npx tsx tests/providers/github-stand-in.ts ${PROVIDER_PORTS.github}`,
      port: PROVIDER_PORTS.github,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
    },
  ],
});

export { SERVERS };
