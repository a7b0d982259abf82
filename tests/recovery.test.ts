/**
 * Account recovery and email verification in the core (lib/auth/recovery.ts), with an injected
 * clock and a mailer that records what it sent (ASVS 5.0 V6.4).
 */
import { describe, expect, it } from "vitest";
import { hashOpaqueToken } from "@/lib/auth/opaque-token";
import { DAY, META, MINUTE, SECOND, makeAuth } from "./helpers";

const EMAIL = "carol@example.com";
const PASSWORD = "correct horse battery";

async function withUser(overrides: Parameters<typeof makeAuth>[0] = {}) {
  const ctx = await makeAuth(overrides);
  const reg = await ctx.auth.register({ email: EMAIL, password: PASSWORD }, META);
  if (!reg.ok || !("access" in reg)) throw new Error("register failed");
  return { ...ctx, session: reg };
}

const resetToken = async (ctx: Awaited<ReturnType<typeof withUser>>) => {
  const token = await ctx.mailer.tokenFor(EMAIL, "password_reset");
  if (!token) throw new Error("no reset mail");
  return token;
};

/** The link holder's own browser is signed in to the account: the session proves the password. */
const inSession = (ctx: { session: { user: { id: string } } }, token: string) => ({
  token,
  sessionUserId: ctx.session.user.id,
});

describe("forgot password", () => {
  it("mails a link with a 256-bit token in the URL fragment; only its hash is stored", async () => {
    const ctx = await withUser();
    expect(await ctx.auth.requestPasswordReset(EMAIL.toUpperCase(), META)).toEqual({ ok: true });
    const mail = (await ctx.mailer.sent()).find((m) => m.kind === "password_reset")!;
    expect(mail.to).toBe(EMAIL);
    expect(mail.text).toMatch(/http:\/\/localhost:3000\/reset-password#token=[A-Za-z0-9_-]{43}(\s|$)/);
    expect(mail.html).toContain("/reset-password#token=");
    const token = await resetToken(ctx);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    expect((await ctx.store.emailToken(hashOpaqueToken(token)))?.kind).toBe("password_reset");
    const dump = JSON.stringify(await ctx.db.rows("email_tokens"));
    expect(dump).not.toContain(token);
    // The queued mail is sealed (and forgotten once sent): the database never holds the link.
    expect(JSON.stringify(await ctx.db.rows("mail_queue"))).not.toContain(token);
    expect(JSON.stringify(await ctx.store.recentEvents(100))).not.toContain(token);
  });

  it("answers the same for an unknown address and mails nothing", async () => {
    const ctx = await withUser();
    const before = (await ctx.mailer.sent()).length;
    expect(await ctx.auth.requestPasswordReset("nobody@example.com", META)).toEqual({ ok: true });
    expect((await ctx.mailer.sent()).length).toBe(before);
    // The audit trail records the request without the address.
    const events = await ctx.store.recentEvents(10);
    expect(events[0].type).toBe("password_reset_requested");
    expect(JSON.stringify(events)).not.toContain("nobody@");
  });
});

describe("reset password", () => {
  it("sets the new password, bumps the token version, ends every session and mails a notice", async () => {
    const ctx = await withUser();
    const laptop = await ctx.auth.login({ email: EMAIL, password: PASSWORD }, META);
    if (!laptop.ok) throw new Error();
    await ctx.auth.requestPasswordReset(EMAIL, META);
    expect(await ctx.auth.resetPassword(await resetToken(ctx), "brand new password", META)).toEqual({ ok: true });
    for (const s of [ctx.session, laptop]) {
      expect((await ctx.auth.authenticate(s.access.token)).ok).toBe(false);
      expect((await ctx.auth.refresh(s.refresh.token, META)).ok).toBe(false);
    }
    expect(await ctx.auth.login({ email: EMAIL, password: PASSWORD }, META)).toEqual({
      ok: false,
      error: "invalid_credentials",
    });
    expect((await ctx.auth.login({ email: EMAIL, password: "brand new password" }, META)).ok).toBe(true);
    expect((await ctx.mailer.sent()).map((m) => m.kind)).toContain("password_changed");
    const completed = (await ctx.store.recentEvents(100)).find((e) => e.type === "password_reset_completed");
    expect(JSON.parse(completed!.detail)).toEqual({ sessionsEnded: 2 });
  });

  it("a link works once", async () => {
    const ctx = await withUser();
    await ctx.auth.requestPasswordReset(EMAIL, META);
    const token = await resetToken(ctx);
    expect((await ctx.auth.resetPassword(token, "brand new password", META)).ok).toBe(true);
    expect(await ctx.auth.resetPassword(token, "another new password", META)).toEqual({
      ok: false,
      error: "invalid_token",
    });
  });

  it("ten parallel uses of one link: exactly one wins", async () => {
    const ctx = await withUser();
    await ctx.auth.requestPasswordReset(EMAIL, META);
    const token = await resetToken(ctx);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => ctx.auth.resetPassword(token, `parallel password ${i}`, META)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.error === "invalid_token")).toHaveLength(9);
  });

  it(`expires after PASSWORD_RESET_TTL`, async () => {
    const ctx = await withUser({ passwordResetTtl: 30 * 60 });
    await ctx.auth.requestPasswordReset(EMAIL, META);
    const token = await resetToken(ctx);
    ctx.clock.advance(30 * MINUTE + SECOND);
    expect(await ctx.auth.resetPassword(token, "brand new password", META)).toEqual({
      ok: false,
      error: "invalid_token",
    });
    expect((await ctx.auth.login({ email: EMAIL, password: PASSWORD }, META)).ok).toBe(true);
  });

  it("a newer link replaces older ones", async () => {
    const ctx = await withUser();
    await ctx.auth.requestPasswordReset(EMAIL, META);
    const older = await resetToken(ctx);
    ctx.clock.advance(MINUTE);
    await ctx.auth.requestPasswordReset(EMAIL, META);
    const newer = await resetToken(ctx);
    expect(newer).not.toBe(older);
    expect(await ctx.auth.resetPassword(older, "brand new password", META)).toEqual({
      ok: false,
      error: "invalid_token",
    });
    expect((await ctx.auth.resetPassword(newer, "brand new password", META)).ok).toBe(true);
  });

  it("forged, malformed and cross-kind tokens are refused", async () => {
    const ctx = await withUser();
    for (const token of ["", "x", "A".repeat(43), "A".repeat(44), `${"A".repeat(42)}=`]) {
      expect(await ctx.auth.resetPassword(token, "brand new password", META)).toEqual({
        ok: false,
        error: "invalid_token",
      });
    }
    // A verification link is not a reset link.
    const verification = (await ctx.mailer.tokenFor(EMAIL, "email_verification"))!;
    expect(await ctx.auth.resetPassword(verification, "brand new password", META)).toEqual({
      ok: false,
      error: "invalid_token",
    });
    expect((await ctx.auth.verifyEmail(inSession(ctx, verification), META)).ok).toBe(true);
  });
});

describe("email verification", () => {
  it("EMAIL_VERIFICATION=optional: a session at once, a verification mail, emailVerified after the link", async () => {
    const ctx = await withUser();
    expect(ctx.session.user.emailVerified).toBe(false);
    const token = (await ctx.mailer.tokenFor(EMAIL, "email_verification"))!;
    expect((await ctx.mailer.sent()).find((m) => m.kind === "email_verification")?.text).toContain(
      "/verify-email#token=",
    );
    expect(await ctx.auth.verifyEmail(inSession(ctx, token), META)).toEqual({ ok: true, session: null });
    const check = await ctx.auth.authenticate(ctx.session.access.token);
    expect(check.ok && check.user.emailVerified).toBe(true);
    expect(await ctx.auth.verifyEmail(inSession(ctx, token), META)).toEqual({ ok: false, error: "invalid_token" });
    expect(await ctx.auth.sendVerification(ctx.session.user.id, META)).toEqual({
      ok: false,
      error: "already_verified",
    });
  });

  it("a verification link expires after EMAIL_VERIFICATION_TTL; a resend sends another", async () => {
    const ctx = await withUser({ emailVerificationTtl: 86400 });
    const first = (await ctx.mailer.tokenFor(EMAIL, "email_verification"))!;
    ctx.clock.advance(DAY + SECOND);
    expect(await ctx.auth.verifyEmail(inSession(ctx, first), META)).toEqual({ ok: false, error: "invalid_token" });
    expect((await ctx.auth.sendVerification(ctx.session.user.id, META)).ok).toBe(true);
    const second = (await ctx.mailer.tokenFor(EMAIL, "email_verification"))!;
    expect(second).not.toBe(first);
    expect((await ctx.auth.verifyEmail(inSession(ctx, second), META)).ok).toBe(true);
  });

  it("without a session of the account, the link asks for its password, and then signs the person in", async () => {
    const ctx = await withUser();
    const token = (await ctx.mailer.tokenFor(EMAIL, "email_verification"))!;
    const elsewhere = { token, sessionUserId: null };
    expect(await ctx.auth.verifyEmail(elsewhere, META)).toEqual({ ok: false, error: "password_required" });
    expect(await ctx.auth.verifyEmail({ ...elsewhere, password: "not the password" }, META)).toEqual({
      ok: false,
      error: "wrong_password",
    });
    const done = await ctx.auth.verifyEmail({ ...elsewhere, password: PASSWORD }, META);
    expect(done.ok && done.session?.user).toMatchObject({ email: EMAIL, emailVerified: true });
    // A session of another account is no proof.
    const other = await withUser();
    expect(await other.auth.verifyEmail({ token: "x".repeat(43), sessionUserId: ctx.session.user.id }, META)).toEqual({
      ok: false,
      error: "invalid_token",
    });
  });

  it("EMAIL_VERIFICATION=off: no verification mail", async () => {
    const ctx = await withUser({ emailVerification: "off" });
    expect(await ctx.mailer.sent()).toEqual([]);
  });

  describe("EMAIL_VERIFICATION=required", () => {
    it("registration gives no session; a taken address gets the same answer and its owner a notice", async () => {
      const ctx = await makeAuth({ emailVerification: "required" });
      const fresh = await ctx.auth.register({ email: EMAIL, password: PASSWORD }, META);
      expect(fresh).toEqual({ ok: true, verificationRequired: true });
      const first = (await ctx.mailer.tokenFor(EMAIL, "email_verification"))!;
      const taken = await ctx.auth.register({ email: EMAIL.toUpperCase(), password: "someone else's password" }, META);
      expect(taken).toEqual(fresh);
      // Not verified yet: registering again mails that registration a link of its own.
      expect((await ctx.mailer.sent()).map((m) => m.kind)).toEqual(["email_verification", "email_verification"]);
      const done = await ctx.auth.verifyEmail({ token: first, password: PASSWORD, sessionUserId: null }, META);
      expect(done.ok && done.session !== null).toBe(true);
      // Verified: registering again mails the owner a notice instead.
      expect(await ctx.auth.register({ email: EMAIL, password: "someone else's password" }, META)).toEqual(fresh);
      expect((await ctx.mailer.sent()).at(-1)?.kind).toBe("account_exists");
      expect((await ctx.mailer.sent()).every((m) => m.to === EMAIL)).toBe(true);
    });

    it("sign-in with the right password before verifying is email_unverified; a wrong one stays invalid_credentials", async () => {
      const ctx = await makeAuth({ emailVerification: "required" });
      await ctx.auth.register({ email: EMAIL, password: PASSWORD }, META);
      expect(await ctx.auth.login({ email: EMAIL, password: "wrong password!" }, META)).toEqual({
        ok: false,
        error: "invalid_credentials",
      });
      expect(await ctx.auth.login({ email: EMAIL, password: PASSWORD }, META)).toEqual({
        ok: false,
        error: "email_unverified",
      });
      const token = (await ctx.mailer.tokenFor(EMAIL, "email_verification"))!;
      expect((await ctx.auth.verifyEmail({ token, password: PASSWORD, sessionUserId: null }, META)).ok).toBe(true);
      const signedIn = await ctx.auth.login({ email: EMAIL, password: PASSWORD }, META);
      expect(signedIn.ok && signedIn.user.emailVerified).toBe(true);
    });

    it("a password reset proves the mailbox too: the account can sign in afterwards", async () => {
      const ctx = await makeAuth({ emailVerification: "required" });
      await ctx.auth.register({ email: EMAIL, password: PASSWORD }, META);
      await ctx.auth.requestPasswordReset(EMAIL, META);
      expect(
        (
          await ctx.auth.resetPassword(
            (await ctx.mailer.tokenFor(EMAIL, "password_reset"))!,
            "brand new password",
            META,
          )
        ).ok,
      ).toBe(true);
      expect((await ctx.auth.login({ email: EMAIL, password: "brand new password" }, META)).ok).toBe(true);
    });
  });
});

describe("notices", () => {
  it("a password change mails 'your password was changed'", async () => {
    const ctx = await withUser();
    const changed = await ctx.auth.changePassword(
      ctx.session.access.claims,
      { currentPassword: PASSWORD, newPassword: "brand new password" },
      META,
    );
    expect(changed.ok).toBe(true);
    // (Queued at the same instant as the registration's link: found by kind, not by position.)
    expect((await ctx.mailer.sent()).find((m) => m.kind === "password_changed")).toMatchObject({
      kind: "password_changed",
      to: EMAIL,
      subject: "Your password was changed",
    });
  });
});
