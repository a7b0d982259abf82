/**
 * The attack run's findings on registration, over HTTP as the attacker sent them (issue 16):
 * account pre-hijacking through the verification link, and mail bombing through registration.
 * EMAIL_VERIFICATION=required, limits on (the per-IP registration limit of 10 is what the attack
 * stayed under, from three addresses).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readOutbox } from "@/lib/mail/outbox";
import { getRuntime } from "@/lib/server/runtime";
import { CookieJar, call, configureTestEnv, loadRoutes } from "./http-client";

let r: Awaited<ReturnType<typeof loadRoutes>>;
let verify: typeof import("@/app/api/auth/email/verify/route");

beforeAll(async () => {
  await configureTestEnv({ EMAIL_VERIFICATION: "required", AUTH_RATE_LIMIT: "on" });
  r = await loadRoutes();
  verify = await import("@/app/api/auth/email/verify/route");
});

let n = 0;
const address = () => `target-${++n}@example.com`;
const SQUATTER = { "x-auth-socket-ip": "203.0.113.66" };

const register = (email: string, password: string, headers: Record<string, string> = {}) =>
  call(r.register.POST, "/api/auth/register", { body: { email, password }, headers });

const login = (email: string, password: string) => call(r.login.POST, "/api/auth/login", { body: { email, password } });

/** The verification links in the address's mailbox, oldest first. */
async function links(email: string): Promise<string[]> {
  const rt = await getRuntime();
  await rt.mailSender.flush();
  return readOutbox(rt.config.mail.outboxDir, 10_000)
    .filter((m) => m.to === email && m.kind === "email_verification")
    .reverse()
    .map((m) => /#token=([A-Za-z0-9_-]{43})/.exec(m.text)![1]);
}

async function mailCount(email: string) {
  const rt = await getRuntime();
  await rt.mailSender.flush();
  return readOutbox(rt.config.mail.outboxDir, 10_000).filter((m) => m.to === email).length;
}

describe("pre-hijacking through the verification link", () => {
  it("the victim clicking the link of a squatter's registration does not hand the squatter a verified account", async () => {
    const email = address();
    await register(email, "squatter-password", SQUATTER);
    const [link] = await links(email);
    const clicked = await call(verify.POST, "/api/auth/email/verify", { body: { token: link } });
    expect(clicked.status).toBe(401);
    expect(clicked.json.error).toBe("password_required");
    expect((await login(email, "squatter-password")).status).toBe(403);
  });

  it("a victim who registers after a squatter keeps their own password; the squatter's is gone", async () => {
    const email = address();
    await register(email, "squatter-password", SQUATTER);
    expect((await register(email, "victim-password")).status).toBe(202);
    const victims = (await links(email)).at(-1)!;
    const jar = new CookieJar();
    const done = await call(verify.POST, "/api/auth/email/verify", {
      body: { token: victims, password: "victim-password" },
      jar,
    });
    expect(done.status).toBe(200);
    expect((await call(r.me.GET, "/api/me", { jar })).json.user).toMatchObject({ email, emailVerified: true });
    expect((await login(email, "victim-password")).status).toBe(200);
    expect((await login(email, "squatter-password")).status).toBe(401);
  });
});

describe("mail bombing through registration", () => {
  it("30 registrations of a confirmed address from three IPs: the same 202 each time, at most 5 mails", async () => {
    const email = address();
    await register(email, "owner-password");
    const [link] = await links(email);
    await call(verify.POST, "/api/auth/email/verify", { body: { token: link, password: "owner-password" } });
    for (let i = 0; i < 30; i++) {
      const res = await register(email, `bomb-password-${i}`, { "x-auth-socket-ip": `203.0.113.${100 + (i % 3)}` });
      expect(res.status).toBe(202);
      expect(res.json).toEqual({ verificationRequired: true });
    }
    expect(await mailCount(email)).toBe(5);
  });

  it("30 registrations of an unconfirmed address kill nothing: the owner's first link still completes", async () => {
    const email = address();
    await register(email, "owner-password");
    const [first] = await links(email);
    for (let i = 0; i < 30; i++)
      await register(email, `bomb-password-${i}`, { "x-auth-socket-ip": `203.0.113.${110 + (i % 3)}` });
    expect(await mailCount(email)).toBe(5);
    const done = await call(verify.POST, "/api/auth/email/verify", {
      body: { token: first, password: "owner-password" },
    });
    expect(done.status).toBe(200);
  });
});
