/** EMAIL_VERIFICATION=required over HTTP: no session before verification, no account enumeration. */
import { beforeAll, expect, it } from "vitest";
import { readOutbox } from "@/lib/mail/outbox";
import { getRuntime } from "@/lib/server/runtime";
import { CookieJar, call, configureTestEnv, loadRoutes } from "./http-client";

let r: Awaited<ReturnType<typeof loadRoutes>>;

beforeAll(async () => {
  await configureTestEnv({ EMAIL_VERIFICATION: "required" });
  r = await loadRoutes();
});

it("register answers 202 { verificationRequired: true } with no cookies, for a new and a taken address alike", async () => {
  const first = await call(r.register.POST, "/api/auth/register", {
    body: { email: "dana@example.com", password: "password-123" },
  });
  const again = await call(r.register.POST, "/api/auth/register", {
    body: { email: "dana@example.com", password: "other-password-9" },
  });
  for (const res of [first, again]) {
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ verificationRequired: true });
    expect(res.setCookies).toEqual([]);
  }
  const rt = await getRuntime();
  await rt.mailSender.flush();
  // The owner never verified, so the second registration mails a fresh link (same answer).
  expect(readOutbox(rt.config.mail.outboxDir).map((m) => m.kind)).toEqual(["email_verification", "email_verification"]);
});

it("sign-in before verifying: 403 email_unverified with the right password, 401 with a wrong one; after the link, 200", async () => {
  await call(r.register.POST, "/api/auth/register", { body: { email: "erin@example.com", password: "password-123" } });
  const wrong = await call(r.login.POST, "/api/auth/login", {
    body: { email: "erin@example.com", password: "wrong-password" },
  });
  expect(wrong.status).toBe(401);
  const unverified = await call(r.login.POST, "/api/auth/login", {
    body: { email: "erin@example.com", password: "password-123" },
  });
  expect(unverified.status).toBe(403);
  expect(unverified.json.error).toBe("email_unverified");
  expect(unverified.setCookies).toEqual([]);
  const rt = await getRuntime();
  await rt.mailSender.flush();
  const mail = readOutbox(rt.config.mail.outboxDir).find(
    (m) => m.to === "erin@example.com" && m.kind === "email_verification",
  )!;
  const token = /#token=([A-Za-z0-9_-]{43})/.exec(mail.text)![1];
  const verify = await import("@/app/api/auth/email/verify/route");
  expect((await call(verify.POST, "/api/auth/email/verify", { body: { token } })).json.error).toBe("password_required");
  const linked = await call(verify.POST, "/api/auth/email/verify", { body: { token, password: "password-123" } });
  expect(linked.status).toBe(200);
  expect(linked.json.status).toBe("authenticated");
  const jar = new CookieJar();
  expect(
    (
      await call(r.login.POST, "/api/auth/login", {
        body: { email: "erin@example.com", password: "password-123" },
        jar,
      })
    ).status,
  ).toBe(200);
  expect((await call(r.me.GET, "/api/me", { jar })).json.user.emailVerified).toBe(true);
});
