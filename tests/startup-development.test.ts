import { expect, it } from "vitest";
import { startUpIn } from "./startup-scenario";

it("server start-up in development: applies migrations and seeds and prints the demo accounts once", async () => {
  const { store, output, startAgain } = await startUpIn("development");
  expect(await store.userCount()).toBe(2);
  expect(output()).toMatch(/demo@example.com  password: \S{16}/);
  await startAgain();
  expect(output().match(/demo@example.com/g)).toHaveLength(1);
});
