import { expect, it } from "vitest";
import { startUpIn } from "./startup-scenario";

it("server start-up in production: applies migrations to a fresh database and never seeds accounts", async () => {
  const { store, output } = await startUpIn("production");
  expect(await store.userCount()).toBe(0);
  expect(output()).not.toContain("password:");
});
