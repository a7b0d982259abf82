import { expect, it, vi } from "vitest";
import { generateKeySetJson } from "@/lib/keys";
import { tempDatabasePath } from "./helpers";

it("server start-up in development: applies migrations to a fresh database and seeds and prints the demo accounts once", async () => {
  Object.assign(process.env, {
    NODE_ENV: "development",
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
  expect(store.userCount()).toBe(2);
  const output = printed.mock.calls.flat().join("\n");
  expect(output).toMatch(/demo@example.com  password: \S{16}/);
  await startServer();
  expect(printed.mock.calls.flat().join("\n").match(/demo@example.com/g)).toHaveLength(1);
});
