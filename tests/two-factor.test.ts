/**
 * Two-step verification in the core (lib/auth/two-factor.ts, the pipeline, step-up), with an
 * injected clock: TOTP window edges and replay, recovery codes under races, the second step of
 * every way to sign in, step-up on both sides of its boundary. On the engine under test.
 */
import { describe, expect, it } from "vitest";
import { totpCode } from "@/lib/auth/totp";
import { decodePayload } from "./forge";
import { META, MINUTE, SECOND, makeAuth } from "./helpers";

const EMAIL = "tova@example.com";
const PASSWORD = "correct horse battery";
const STEP = 30 * SECOND;

type Ctx = Awaited<ReturnType<typeof makeAuth>>;

async function withUser(overrides: Parameters<typeof makeAuth>[0] = {}) {
  const ctx = await makeAuth(overrides);
  // Aligned to the start of a 30-second step, so "one step later" is unambiguous.
  ctx.clock.set(Math.ceil(ctx.clock.now() / STEP) * STEP);
  const reg = await ctx.auth.register({ email: EMAIL, password: PASSWORD }, META);
  if (!reg.ok || !("access" in reg)) throw new Error("register failed");
  return { ...ctx, session: reg };
}

/** Turns two-step on, as the security page does; returns the secret and the recovery codes. */
async function withTwoStep(overrides: Parameters<typeof makeAuth>[0] = {}) {
  const ctx = await withUser(overrides);
  const setup = await ctx.auth.beginTwoFactorSetup(ctx.session.access.claims, META);
  if (!setup.ok) throw new Error(setup.error);
  const enabled = await ctx.auth.enableTwoFactor(
    ctx.session.access.claims,
    totpCode(setup.secret, ctx.clock.now()),
    META,
  );
  if (!enabled.ok) throw new Error(enabled.error);
  // The step the first code used is spent: move to the next one.
  ctx.clock.advance(STEP);
  return { ...ctx, secret: setup.secret, recoveryCodes: enabled.recoveryCodes };
}

const password = (ctx: Ctx) => ctx.auth.login({ email: EMAIL, password: PASSWORD }, META);

async function pendingOf(ctx: Ctx) {
  const first = await password(ctx);
  if (first.ok || first.error !== "second_factor_required")
    throw new Error(`expected the second step, got ${JSON.stringify(first)}`);
  return first.pending.token;
}

describe("setting it up", () => {
  it("setup shows a secret and an otpauth URL; it is on only after a valid code; the secret is sealed at rest", async () => {
    const ctx = await withUser();
    const setup = await ctx.auth.beginTwoFactorSetup(ctx.session.access.claims, META);
    if (!setup.ok) throw new Error();
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.otpauthUrl).toMatch(/^otpauth:\/\/totp\/Test%20App:tova%40example\.com\?/);
    expect(setup.otpauthUrl).toContain("algorithm=SHA1&digits=6&period=30");
    expect(await ctx.auth.twoFactorStatus(ctx.session.user.id)).toEqual({ enabled: false, recoveryCodesLeft: 0 });
    // Not on yet: the password alone still signs in.
    expect((await password(ctx)).ok).toBe(true);
    expect(JSON.stringify(await ctx.db.rows("two_factor"))).not.toContain(setup.secret);
    expect(await ctx.auth.enableTwoFactor(ctx.session.access.claims, "000000", META)).toEqual({
      ok: false,
      error: "invalid_code",
    });
    const enabled = await ctx.auth.enableTwoFactor(
      ctx.session.access.claims,
      totpCode(setup.secret, ctx.clock.now()),
      META,
    );
    if (!enabled.ok) throw new Error(enabled.error);
    expect(enabled.recoveryCodes).toHaveLength(10);
    expect(new Set(enabled.recoveryCodes).size).toBe(10);
    for (const code of enabled.recoveryCodes)
      expect(code).toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{5}$/);
    // Stored hashed, never in clear.
    const stored = JSON.stringify(await ctx.db.rows("recovery_codes"));
    for (const code of enabled.recoveryCodes) expect(stored).not.toContain(code.replaceAll("-", ""));
    expect(await ctx.auth.twoFactorStatus(ctx.session.user.id)).toEqual({ enabled: true, recoveryCodesLeft: 10 });
  });

  it("turning it on ends the user's other sessions and keeps this one", async () => {
    const ctx = await withUser();
    const laptop = await password(ctx);
    if (!laptop.ok) throw new Error();
    const setup = await ctx.auth.beginTwoFactorSetup(ctx.session.access.claims, META);
    if (!setup.ok) throw new Error();
    const enabled = await ctx.auth.enableTwoFactor(
      ctx.session.access.claims,
      totpCode(setup.secret, ctx.clock.now()),
      META,
    );
    expect(enabled.ok && enabled.sessionsEnded).toBe(1);
    expect((await ctx.auth.authenticate(laptop.access.token)).ok).toBe(false);
    expect((await ctx.auth.refresh(laptop.refresh.token, META)).ok).toBe(false);
    expect((await ctx.auth.authenticate(ctx.session.access.token)).ok).toBe(true);
  });

  it("setup needs a recent sign-in (step-up), on both sides of STEP_UP_MAX_AGE (10 minutes)", async () => {
    const ctx = await withUser();
    ctx.clock.advance(10 * MINUTE);
    expect((await ctx.auth.beginTwoFactorSetup(ctx.session.access.claims, META)).ok).toBe(true);
    ctx.clock.advance(SECOND);
    expect(await ctx.auth.beginTwoFactorSetup(ctx.session.access.claims, META)).toEqual({
      ok: false,
      error: "reauthentication_required",
    });
  });
});

describe("the second step at sign-in", () => {
  it("a correct password gives no session and no tokens, only a pending sign-in; a code completes it (amr pwd + otp)", async () => {
    const ctx = await withTwoStep();
    const families = await ctx.db.count("refresh_families");
    const token = await pendingOf(ctx);
    expect(await ctx.db.count("refresh_families")).toBe(families);
    const done = await ctx.auth.verifySecondStep(token, { code: totpCode(ctx.secret, ctx.clock.now()) }, META, {
      kind: "browser",
      dpopJkt: null,
    });
    if (!done.ok) throw new Error(done.error);
    expect(decodePayload(done.access.token)).toMatchObject({ amr: ["pwd", "otp", "mfa"] });
    expect(await ctx.db.count("refresh_families")).toBe(families + 1);
  });

  it("TOTP window: the previous, current and next step work; two steps off do not", async () => {
    const ctx = await withTwoStep();
    const at = (offset: number) => totpCode(ctx.secret, ctx.clock.now() + offset);
    for (const [label, offset, ok] of [
      ["two steps back", -2 * STEP, false],
      ["two steps ahead", 2 * STEP, false],
      ["one step ahead", STEP, true],
    ] as const) {
      const token = await pendingOf(ctx);
      const result = await ctx.auth.verifySecondStep(token, { code: at(offset) }, META, {
        kind: "browser",
        dpopJkt: null,
      });
      expect(result.ok, label).toBe(ok);
    }
  });

  it("a code is accepted once per account, and never a step before the last one accepted", async () => {
    const ctx = await withTwoStep();
    const code = totpCode(ctx.secret, ctx.clock.now());
    const browser = { kind: "browser" as const, dpopJkt: null };
    expect((await ctx.auth.verifySecondStep(await pendingOf(ctx), { code }, META, browser)).ok).toBe(true);
    expect(await ctx.auth.verifySecondStep(await pendingOf(ctx), { code }, META, browser)).toMatchObject({
      ok: false,
      error: "invalid_code",
    });
    // The previous step's code is still in the window, but older than the one used: refused.
    const previous = totpCode(ctx.secret, ctx.clock.now() - STEP);
    expect(await ctx.auth.verifySecondStep(await pendingOf(ctx), { code: previous }, META, browser)).toMatchObject({
      ok: false,
      error: "invalid_code",
    });
  });

  it("two sign-ins racing with the same code: exactly one session", async () => {
    const ctx = await withTwoStep();
    const code = totpCode(ctx.secret, ctx.clock.now());
    const tokens = [await pendingOf(ctx), await pendingOf(ctx), await pendingOf(ctx), await pendingOf(ctx)];
    const results = await Promise.all(
      tokens.map((t) => ctx.auth.verifySecondStep(t, { code }, META, { kind: "browser", dpopJkt: null })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("five attempts, five minutes, one use", async () => {
    const ctx = await withTwoStep();
    const browser = { kind: "browser" as const, dpopJkt: null };
    const token = await pendingOf(ctx);
    for (let i = 0; i < 4; i++)
      expect(await ctx.auth.verifySecondStep(token, { code: "000000" }, META, browser)).toMatchObject({
        error: "invalid_code",
      });
    expect(await ctx.auth.verifySecondStep(token, { code: "000000" }, META, browser)).toMatchObject({
      error: "too_many_attempts",
    });
    // Even the right code, after five wrong ones.
    const right = { code: totpCode(ctx.secret, ctx.clock.now()) };
    expect(await ctx.auth.verifySecondStep(token, right, META, browser)).toMatchObject({ error: "too_many_attempts" });
    const late = await pendingOf(ctx);
    ctx.clock.advance(5 * MINUTE + SECOND);
    expect(
      await ctx.auth.verifySecondStep(late, { code: totpCode(ctx.secret, ctx.clock.now()) }, META, browser),
    ).toMatchObject({
      error: "expired",
    });
    const once = await pendingOf(ctx);
    expect(
      (await ctx.auth.verifySecondStep(once, { code: totpCode(ctx.secret, ctx.clock.now()) }, META, browser)).ok,
    ).toBe(true);
    ctx.clock.advance(STEP);
    expect(
      await ctx.auth.verifySecondStep(once, { code: totpCode(ctx.secret, ctx.clock.now()) }, META, browser),
    ).toMatchObject({
      error: "expired",
    });
  });

  it("a browser's pending sign-in is not an app's, and an app's needs its DPoP key", async () => {
    const ctx = await withTwoStep();
    const code = () => ({ code: totpCode(ctx.secret, ctx.clock.now()) });
    const browserToken = await pendingOf(ctx);
    expect(
      await ctx.auth.verifySecondStep(browserToken, code(), META, { kind: "native", dpopJkt: null }),
    ).toMatchObject({
      error: "wrong_client",
    });
    const app = await ctx.auth.passwordGrant({ email: EMAIL, password: PASSWORD }, META, "k".repeat(43));
    if (app.ok || app.error !== "mfa_required") throw new Error("expected mfa_required");
    expect(await ctx.auth.mfaGrant(app.mfaToken, code(), META, null)).toEqual({ ok: false, error: "wrong_client" });
    expect(await ctx.auth.mfaGrant(app.mfaToken, code(), META, "x".repeat(43))).toEqual({
      ok: false,
      error: "wrong_client",
    });
    const tokens = await ctx.auth.mfaGrant(app.mfaToken, code(), META, "k".repeat(43));
    expect(tokens.ok && tokens.tokenType).toBe("DPoP");
  });
});

describe("no way to start a session skips an owed second factor", () => {
  it("password, token endpoint, verification link: each stops at the second step", async () => {
    const ctx = await withTwoStep();
    expect(await password(ctx)).toMatchObject({ ok: false, error: "second_factor_required" });
    expect(await ctx.auth.passwordGrant({ email: EMAIL, password: PASSWORD }, META, null)).toMatchObject({
      ok: false,
      error: "mfa_required",
    });
    // A verification link completed elsewhere with the password: verified, but no session yet.
    await ctx.auth.sendVerification(ctx.session.user.id, META);
    const link = (await ctx.mailer.tokenFor(EMAIL, "email_verification"))!;
    const verified = await ctx.auth.verifyEmail({ token: link, password: PASSWORD, sessionUserId: null }, META);
    expect(verified.ok && verified.session).toBe(null);
    expect(verified.ok && verified.pending?.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe("recovery codes", () => {
  it("a recovery code signs in once (amr pwd + otp), the owner is mailed, and the count goes down", async () => {
    const ctx = await withTwoStep();
    const [code] = ctx.recoveryCodes;
    const browser = { kind: "browser" as const, dpopJkt: null };
    const done = await ctx.auth.verifySecondStep(
      await pendingOf(ctx),
      { recoveryCode: code.toLowerCase() },
      META,
      browser,
    );
    expect(done.ok).toBe(true);
    expect((await ctx.mailer.sent()).map((m) => m.kind)).toContain("recovery_code_used");
    expect(await ctx.auth.twoFactorStatus(ctx.session.user.id)).toEqual({ enabled: true, recoveryCodesLeft: 9 });
    expect(await ctx.auth.verifySecondStep(await pendingOf(ctx), { recoveryCode: code }, META, browser)).toMatchObject({
      error: "invalid_code",
    });
  });

  it("ten parallel uses of one recovery code: exactly one session", async () => {
    const ctx = await withTwoStep();
    const tokens = await Promise.all(Array.from({ length: 10 }, () => pendingOf(ctx)));
    const results = await Promise.all(
      tokens.map((t) =>
        ctx.auth.verifySecondStep(t, { recoveryCode: ctx.recoveryCodes[0] }, META, { kind: "browser", dpopJkt: null }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("a new set kills the old one (step-up needed)", async () => {
    const ctx = await withTwoStep();
    const fresh = await ctx.auth.regenerateRecoveryCodes(ctx.session.access.claims, META);
    if (!fresh.ok) throw new Error(fresh.error);
    const browser = { kind: "browser" as const, dpopJkt: null };
    expect(
      await ctx.auth.verifySecondStep(await pendingOf(ctx), { recoveryCode: ctx.recoveryCodes[1] }, META, browser),
    ).toMatchObject({
      error: "invalid_code",
    });
    expect(
      (await ctx.auth.verifySecondStep(await pendingOf(ctx), { recoveryCode: fresh.recoveryCodes[0] }, META, browser))
        .ok,
    ).toBe(true);
    ctx.clock.advance(11 * MINUTE);
    expect(await ctx.auth.regenerateRecoveryCodes(ctx.session.access.claims, META)).toEqual({
      ok: false,
      error: "reauthentication_required",
    });
  });
});

describe("a lost phone", () => {
  it("a password reset does not turn two-step off", async () => {
    const ctx = await withTwoStep();
    await ctx.auth.requestPasswordReset(EMAIL, META);
    const link = (await ctx.mailer.tokenFor(EMAIL, "password_reset"))!;
    expect((await ctx.auth.resetPassword(link, "a brand new password", META)).ok).toBe(true);
    expect(await ctx.auth.login({ email: EMAIL, password: "a brand new password" }, META)).toMatchObject({
      error: "second_factor_required",
    });
  });

  it("an administrator can turn it off (audited, the user mailed); the password alone then signs in", async () => {
    const ctx = await withTwoStep();
    const admin = await ctx.auth.register({ email: "root@example.com", password: PASSWORD }, META, "admin");
    if (!admin.ok || !("access" in admin)) throw new Error();
    expect((await ctx.auth.resetTwoFactorByAdministrator(admin.access.claims, ctx.session.user.id, META)).ok).toBe(
      true,
    );
    expect((await password(ctx)).ok).toBe(true);
    expect((await ctx.mailer.sent()).find((m) => m.kind === "two_factor_turned_off")?.text).toContain("administrator");
    const event = (await ctx.store.userEvents(ctx.session.user.id, 20)).find(
      (e) => e.type === "two_factor_reset_by_admin",
    );
    expect(JSON.parse(event!.detail)).toEqual({ by: admin.user.id });
  });

  it("turning it off needs step-up; then the password alone signs in", async () => {
    const ctx = await withTwoStep();
    ctx.clock.advance(11 * MINUTE);
    expect(await ctx.auth.disableTwoFactor(ctx.session.access.claims, META)).toEqual({
      ok: false,
      error: "reauthentication_required",
    });
    const again = await ctx.auth.reauthenticate(
      ctx.session.access.claims,
      { code: totpCode(ctx.secret, ctx.clock.now()) },
      META,
    );
    if (!again.ok) throw new Error(again.error);
    expect((await ctx.auth.disableTwoFactor(again.access.claims, META)).ok).toBe(true);
    expect((await password(ctx)).ok).toBe(true);
  });
});

describe("step-up", () => {
  it("reauthenticating with the password gives a fresh auth_time in the same family; a wrong one changes nothing", async () => {
    const ctx = await withUser();
    ctx.clock.advance(20 * MINUTE);
    const claims = ctx.session.access.claims;
    expect(ctx.auth.recentlyAuthenticated(claims)).toBe(false);
    expect(await ctx.auth.reauthenticate(claims, { password: "wrong password!" }, META)).toEqual({
      ok: false,
      error: "invalid_credentials",
    });
    const again = await ctx.auth.reauthenticate(claims, { password: PASSWORD }, META);
    if (!again.ok) throw new Error(again.error);
    expect(again.access.claims.sid).toBe(claims.sid);
    expect(again.access.claims.auth_time).toBe(Math.floor(ctx.clock.now() / 1000));
    expect(ctx.auth.recentlyAuthenticated(again.access.claims)).toBe(true);
    // The family remembers it: a refresh carries the new auth_time.
    const refreshed = await ctx.auth.refresh(ctx.session.refresh.token, META);
    expect(refreshed.ok && refreshed.access.claims.auth_time).toBe(again.access.claims.auth_time);
  });

  it("a refresh never moves auth_time (rotation copies it)", async () => {
    const ctx = await withUser();
    const before = ctx.session.access.claims.auth_time;
    ctx.clock.advance(5 * MINUTE);
    const refreshed = await ctx.auth.refresh(ctx.session.refresh.token, META);
    expect(refreshed.ok && refreshed.access.claims.auth_time).toBe(before);
  });
});
