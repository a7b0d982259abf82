import { expect, it } from "vitest";
import { call } from "./http-client";
import { startUpIn } from "./startup-scenario";

/**
 * `npm run dev` when 3000 is taken: Next listens on the next free port and puts it in PORT. Without
 * APP_URL the app follows it, so the banner names the real address and sign-in from there works.
 */
it("next dev on port 4001 without APP_URL: the banner says 4001 and signing in from there works", async () => {
  const { output } = await startUpIn("development", { PORT: "4001", APP_URL: undefined });
  expect(output()).toContain("Sign in at http://localhost:4001/login");
  const password = /demo@example\.com {2}password: (\S+)/.exec(output())?.[1];
  const login = await import("@/app/api/auth/login/route");
  const body = { email: "demo@example.com", password };

  const signedIn = await call(login.POST, "/api/auth/login", { body, origin: "http://localhost:4001" });
  expect(signedIn.status).toBe(200);
  expect(signedIn.setCookies.map((c) => c.name)).toContain("__Host-access");

  const elsewhere = await call(login.POST, "/api/auth/login", { body, origin: "http://localhost:3000" });
  expect(elsewhere.status).toBe(403);
  expect(elsewhere.json.message).toBe("Cross-site requests are not allowed.");
});
