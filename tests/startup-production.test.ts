import { expect, it } from "vitest";
import { call } from "./http-client";
import { startUpIn } from "./startup-scenario";

// PORT as `next start -p 4001` sets it: production never derives its origin from it.
const started = startUpIn("production", { PORT: "4001" });

it("server start-up in production: applies migrations to a fresh database and never seeds accounts", async () => {
  const { store, output } = await started;
  expect(await store.userCount()).toBe(0);
  expect(output()).not.toContain("password:");
});

it("production keeps APP_URL strict: sign-in from the port the server listens on is refused", async () => {
  await started;
  const login = await import("@/app/api/auth/login/route");
  const body = { email: "nobody@example.com", password: "password-123" };
  const local = await call(login.POST, "/api/auth/login", { body, origin: "http://localhost:4001" });
  expect(local.status).toBe(403);
  expect(local.json.message).toBe("Cross-site requests are not allowed.");
  // From APP_URL's origin the same request passes the check (and fails on the credentials).
  expect((await call(login.POST, "/api/auth/login", { body, origin: "https://app.example.com" })).status).toBe(401);
});
