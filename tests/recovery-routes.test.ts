/**
 * Account recovery over HTTP (route handlers, development outbox as the mail transport): the
 * same answer in body, status and time for known and unknown addresses, limits that stop mail
 * bombing, the reset and verification routes (ASVS 5.0 V6.4).
 */
import fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { readOutbox } from "@/lib/mail/outbox";
import { backgroundIdle } from "@/lib/server/background";
import { inspectRuntime } from "./db-inspect";
import { getRuntime } from "@/lib/server/runtime";
import { CookieJar, call, configureTestEnv, loadRoutes } from "./http-client";

let r: Awaited<ReturnType<typeof loadRoutes>>;
let forgot: typeof import("@/app/api/auth/password/forgot/route");
let reset: typeof import("@/app/api/auth/password/reset/route");
let verify: typeof import("@/app/api/auth/email/verify/route");
let resend: typeof import("@/app/api/auth/email/resend/route");

beforeAll(async () => {
  await configureTestEnv({
    AUTH_RATE_LIMIT: "on",
    RATE_LIMIT_RECOVERY_PER_ADDRESS: "3",
    RATE_LIMIT_RECOVERY_PER_IP: "1000",
  });
  r = await loadRoutes();
  forgot = await import("@/app/api/auth/password/forgot/route");
  reset = await import("@/app/api/auth/password/reset/route");
  verify = await import("@/app/api/auth/email/verify/route");
  resend = await import("@/app/api/auth/email/resend/route");
});

let n = 0;
let ipCounter = 0;
const freshIp = () => `198.19.${Math.floor(++ipCounter / 250)}.${(ipCounter % 250) + 1}`;

async function newUser() {
  const jar = new CookieJar();
  const email = `recover-${++n}@example.com`;
  const res = await call(r.register.POST, "/api/auth/register", {
    body: { email, password: "password-123" },
    jar,
    headers: { "x-auth-socket-ip": freshIp() },
  });
  expect(res.status).toBe(201);
  return { jar, email };
}

async function mailsTo(email: string) {
  const rt = await getRuntime();
  await backgroundIdle();
  await rt.mailSender.flush();
  return readOutbox(rt.config.mail.outboxDir, 10_000).filter((m) => m.to === email);
}

async function linkToken(email: string, kind: "password_reset" | "email_verification") {
  const mail = (await mailsTo(email)).find((m) => m.kind === kind);
  return mail ? /#token=([A-Za-z0-9_-]{43})/.exec(mail.text)![1] : undefined;
}

const askReset = (email: string, ip = freshIp()) =>
  call(forgot.POST, "/api/auth/password/forgot", { body: { email }, headers: { "x-auth-socket-ip": ip } });

describe("POST /api/auth/password/forgot", () => {
  it("answers 202 { ok: true } for a known and an unknown address alike, and mails only the known one", async () => {
    const { email } = await newUser();
    const known = await askReset(email);
    const unknown = await askReset(`ghost-${n}@example.com`);
    for (const res of [known, unknown]) {
      expect(res.status).toBe(202);
      expect(res.json).toEqual({ ok: true });
      expect(res.setCookies).toEqual([]);
      expect(res.headers.get("cache-control")).toBe("no-store");
    }
    expect((await mailsTo(email)).filter((m) => m.kind === "password_reset")).toHaveLength(1);
    expect(await mailsTo(`ghost-${n}@example.com`)).toEqual([]);
  });

  it("takes the same time for known and unknown addresses (the work happens after the answer)", async () => {
    const users: string[] = [];
    for (let i = 0; i < 9; i++) users.push((await newUser()).email);
    const rt = await getRuntime();
    const time = async (address: string) => {
      // Each request is timed from quiet: the previous one's background work (lookup, link, mail
      // queue and its sending) must not land inside the next one's measurement.
      await backgroundIdle();
      await rt.mailSender.flush();
      const started = performance.now();
      await askReset(address);
      return performance.now() - started;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const known: number[] = [];
    const unknown: number[] = [];
    // Interleaved, one request per address (each stays under its per-address limit).
    for (let i = 0; i < users.length; i++) {
      known.push(await time(users[i]));
      unknown.push(await time(`timing-ghost-${i}@example.com`));
    }
    const k = median(known);
    const u = median(unknown);
    // No hash, no lookup, no mail on the request path: the medians differ by scheduling noise only.
    expect(Math.abs(k - u), `known ${k.toFixed(2)} ms, unknown ${u.toFixed(2)} ms`).toBeLessThan(
      Math.max(8, 0.5 * Math.min(k, u)),
    );
  });

  it("a burst of 30 requests for one address delivers at most 3 mails; the rest are 429 (known or not alike)", async () => {
    const { email } = await newUser();
    const statuses = [];
    for (let i = 0; i < 30; i++) statuses.push((await askReset(email)).status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(27);
    expect((await mailsTo(email)).filter((m) => m.kind === "password_reset").length).toBeLessThanOrEqual(3);
    const ghost = [];
    for (let i = 0; i < 5; i++) ghost.push((await askReset(`burst-ghost-${n}@example.com`)).status);
    expect(ghost).toEqual([202, 202, 202, 429, 429]);
  });

  it("a malformed address is a 400; a form post is a 415; GET is a 405", async () => {
    expect((await askReset("not-an-email")).status).toBe(400);
    expect(
      (
        await call(forgot.POST, "/api/auth/password/forgot", {
          rawBody: "email=a@b.c",
          headers: { "content-type": "application/x-www-form-urlencoded" },
        })
      ).status,
    ).toBe(415);
    expect((await forgot.GET()).status).toBe(405);
  });
});

describe("POST /api/auth/password/reset", () => {
  it("sets the password and signs every device out; the link is then dead (400 invalid_token)", async () => {
    const { jar, email } = await newUser();
    await askReset(email);
    const token = (await linkToken(email, "password_reset"))!;
    const ok = await call(reset.POST, "/api/auth/password/reset", {
      body: { token, newPassword: "brand-new-password" },
    });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ ok: true });
    expect((await call(r.me.GET, "/api/me", { jar })).status).toBe(401);
    expect((await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar })).status).toBe(401);
    const again = await call(reset.POST, "/api/auth/password/reset", {
      body: { token, newPassword: "another-password" },
    });
    expect(again.status).toBe(400);
    expect(again.json.error).toBe("invalid_token");
    expect(
      (await call(r.login.POST, "/api/auth/login", { body: { email, password: "brand-new-password" } })).status,
    ).toBe(200);
    expect((await mailsTo(email)).some((m) => m.kind === "password_changed")).toBe(true);
  });

  it("a short new password is a 400 and uses nothing", async () => {
    const { email } = await newUser();
    await askReset(email);
    const token = (await linkToken(email, "password_reset"))!;
    expect((await call(reset.POST, "/api/auth/password/reset", { body: { token, newPassword: "short" } })).status).toBe(
      400,
    );
    expect(
      (await call(reset.POST, "/api/auth/password/reset", { body: { token, newPassword: "long-enough-now" } })).status,
    ).toBe(200);
  });
});

describe("email verification routes", () => {
  it("register mails a link; POST /api/auth/email/verify confirms it; /api/me then says emailVerified", async () => {
    const { jar, email } = await newUser();
    expect((await call(r.me.GET, "/api/me", { jar })).json.user.emailVerified).toBe(false);
    const token = (await linkToken(email, "email_verification"))!;
    // The link alone proves the mailbox, not who completes it: elsewhere it asks for the password.
    const elsewhere = await call(verify.POST, "/api/auth/email/verify", { body: { token } });
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.json.error).toBe("password_required");
    // In the browser signed in to the account, the session is the proof.
    const here = await call(verify.POST, "/api/auth/email/verify", { body: { token }, jar });
    expect(here.status).toBe(200);
    expect(here.json).toEqual({ ok: true });
    expect(here.setCookies).toEqual([]);
    expect((await call(r.me.GET, "/api/me", { jar })).json.user.emailVerified).toBe(true);
    expect((await call(r.session.GET, "/api/auth/session", { jar })).json.user.emailVerified).toBe(true);
    expect((await call(verify.POST, "/api/auth/email/verify", { body: { token }, jar })).json.error).toBe(
      "invalid_token",
    );
    expect((await call(resend.POST, "/api/auth/email/resend", { method: "POST", jar })).status).toBe(409);
  });

  it("resend needs a session (401), answers 202; once one link is used, every other one is dead", async () => {
    const { jar, email } = await newUser();
    expect((await call(resend.POST, "/api/auth/email/resend", { method: "POST" })).status).toBe(401);
    const first = (await linkToken(email, "email_verification"))!;
    expect((await call(resend.POST, "/api/auth/email/resend", { method: "POST", jar })).status).toBe(202);
    const links = (await mailsTo(email)).filter((m) => m.kind === "email_verification");
    expect(links).toHaveLength(2);
    const second = /#token=([A-Za-z0-9_-]{43})/.exec(links.find((m) => !m.text.includes(first))!.text)![1];
    expect((await call(verify.POST, "/api/auth/email/verify", { body: { token: second }, jar })).status).toBe(200);
    expect((await call(verify.POST, "/api/auth/email/verify", { body: { token: first }, jar })).status).toBe(400);
  });

  it("with the password instead of a session: verified and signed in (both cookies); a wrong one is a 401", async () => {
    const { email } = await newUser();
    const token = (await linkToken(email, "email_verification"))!;
    const wrong = await call(verify.POST, "/api/auth/email/verify", { body: { token, password: "not-it-at-all" } });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toBe("invalid_credentials");
    expect(wrong.setCookies).toEqual([]);
    const jar = new CookieJar();
    const done = await call(verify.POST, "/api/auth/email/verify", { body: { token, password: "password-123" }, jar });
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ status: "authenticated", user: { email, emailVerified: true } });
    expect((await call(r.me.GET, "/api/me", { jar })).json.user).toMatchObject({ email, emailVerified: true });
  });

  it("no mailed token ever appears in the database or the outbox's log lines", async () => {
    const { email } = await newUser();
    const token = (await linkToken(email, "email_verification"))!;
    const db = await inspectRuntime();
    const dump = JSON.stringify(await db.rows("email_tokens")) + JSON.stringify(await db.rows("auth_events"));
    expect(dump).not.toContain(token);
    expect(fs.existsSync((await getRuntime()).config.mail.outboxDir)).toBe(true);
  });
});
