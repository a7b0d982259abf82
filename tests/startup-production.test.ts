import { expect, it, vi } from "vitest";
import { generateKeySetJson } from "@/lib/keys";
import { tempDatabasePath } from "./helpers";

it("server start-up in production: applies migrations to a fresh database and never seeds accounts", async () => {
  Object.assign(process.env, {
    NODE_ENV: "production",
    DATABASE_URL: `file:${tempDatabasePath()}`,
    AUTH_SIGNING_KEYS: await generateKeySetJson(),
    APP_URL: "https://app.example.com",
    LOG_LEVEL: "silent",
  });
  const printed = vi.spyOn(console, "log").mockImplementation(() => undefined);
  const { startServer } = await import("@/lib/server/startup");
  const { getRuntime } = await import("@/lib/server/runtime");
  await startServer();
  const { store } = await getRuntime();
  expect(store.userCount()).toBe(0);
  const output = printed.mock.calls.flat().join("\n");
  expect(output).not.toContain("password:");
});
