import { vi } from "vitest";
import { generateKeySetJson } from "@/lib/auth/keys";
import { generateSecretsKey } from "@/lib/auth/sealed";
import { testDatabaseUrl } from "./helpers";

/**
 * Runs the real server start-up (lib/server/startup.ts) on a fresh database in the given mode.
 * Configuration is read once per process, so each scenario has its own test file.
 */
export async function startUpIn(mode: "production" | "development", env: Record<string, string | undefined> = {}) {
  Object.assign(process.env, {
    NODE_ENV: mode,
    DATABASE_URL: await testDatabaseUrl(),
    AUTH_SIGNING_KEYS: await generateKeySetJson(),
    AUTH_SECRETS_KEY: generateSecretsKey(),
    APP_URL: "https://app.example.com",
    LOG_LEVEL: "silent",
    ...(mode === "production" ? { SMTP_URL: "smtp://127.0.0.1:2525" } : {}),
  });
  // `env` adds variables, or takes one away with undefined (APP_URL: undefined is "not set").
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  const printed = vi.spyOn(console, "log").mockImplementation(() => undefined);
  const { startServer } = await import("@/lib/server/startup");
  const { getRuntime } = await import("@/lib/server/runtime");
  await startServer();
  return {
    store: (await getRuntime()).storage.store,
    output: () => printed.mock.calls.flat().join("\n"),
    startAgain: startServer,
  };
}
