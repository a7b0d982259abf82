import type { AccessClaims } from "@/lib/auth/access-token";
import { parseAmr } from "@/lib/auth/amr";
import type { AuthContext, Client } from "@/lib/auth/context";
import type { RequestMeta } from "@/lib/auth/events";
import { hashOpaqueToken, isWellFormedOpaqueToken } from "@/lib/auth/opaque-token";
import { PENDING_SIGN_IN_ATTEMPTS, type Pipeline, type SignInOutcome } from "@/lib/auth/pipeline";
import { hashRecoveryCode, newRecoveryCodes, recoveryCodeMatches } from "@/lib/auth/recovery-codes";
import { fail, type Result } from "@/lib/auth/results";
import type { PendingSignInRow } from "@/lib/auth/store";
import { newTotpSecret, totpStepOf, totpUri } from "@/lib/auth/totp";

/** A code from the authenticator app, or one of the recovery codes. */
export type SecondFactorProof = { code: string } | { recoveryCode: string };

export type TwoFactorStatus = { enabled: boolean; recoveryCodesLeft: number };

/** TOTP secrets are sealed with AUTH_SECRETS_KEY, bound to their user: a copied row does not open. */
const sealContext = (userId: string) => `totp:${userId}`;

/**
 * Two-step verification: TOTP set-up (on only after the first valid code; the user's other
 * sessions end), recovery codes, the second step of a sign-in, turning it off, and an
 * administrator's reset for a lost phone. Each TOTP step is accepted once per account (the
 * store's gate), secrets are sealed at rest, recovery codes stored salted and hashed. Sensitive
 * changes need a recent authentication (step-up).
 */
export function createTwoFactor(ctx: AuthContext, pipeline: Pipeline) {
  const { store, clock, random, config, sealer } = ctx;

  async function status(userId: string): Promise<TwoFactorStatus> {
    const row = await store.twoFactorOf(userId);
    if (!row?.enabledAt) return { enabled: false, recoveryCodesLeft: 0 };
    const codes = await store.recoveryCodesOf(userId);
    return { enabled: true, recoveryCodesLeft: codes.filter((c) => c.usedAt === null).length };
  }

  /** A new secret, shown once (QR code and setup key); on only after enable() with a valid code. */
  async function beginSetup(
    claims: AccessClaims,
    meta: RequestMeta,
  ): Promise<
    Result<{ secret: string; otpauthUrl: string }, "reauthentication_required" | "already_enabled" | "user_gone">
  > {
    if (!ctx.recentlyAuthenticated(claims)) return fail("reauthentication_required");
    const user = await store.userById(claims.sub);
    if (!user) return fail("user_gone");
    const secret = newTotpSecret(random);
    const started = await store.beginTwoFactorSetup({
      userId: user.id,
      secret: sealer.seal(secret, sealContext(user.id)),
      now: clock.now(),
    });
    if (!started) return fail("already_enabled");
    await ctx.record("two_factor_setup_started", meta, { userId: user.id, familyId: claims.sid });
    return { ok: true, secret, otpauthUrl: totpUri(secret, user.email, config.appName) };
  }

  /** The secret of a user's two-step row, opened; null when there is none (or it cannot open). */
  function secretOf(row: { userId: string; secret: string } | undefined): string | null {
    return row ? sealer.open(row.secret, sealContext(row.userId)) : null;
  }

  /** Hashed for storage; the codes themselves are returned once, to be shown. */
  function freshRecoveryCodes() {
    const codes = newRecoveryCodes(random);
    return { codes, stored: codes.map((code) => ({ id: random.uuid(), codeHash: hashRecoveryCode(code, random) })) };
  }

  /** Turns two-step on with the first code from the app: recovery codes made, other sessions ended. */
  async function enable(
    claims: AccessClaims,
    code: string,
    meta: RequestMeta,
  ): Promise<Result<{ recoveryCodes: string[]; sessionsEnded: number }, "invalid_code" | "not_pending">> {
    const row = await store.twoFactorOf(claims.sub);
    if (!row || row.enabledAt !== null) return fail("not_pending");
    const secret = secretOf(row);
    const now = clock.now();
    const step = secret ? totpStepOf(secret, code.trim(), now) : null;
    if (step === null) return fail("invalid_code");
    const { codes, stored } = freshRecoveryCodes();
    const enabled = await store.enableTwoFactor({
      userId: claims.sub,
      step,
      now,
      codes: stored,
      keepFamilyId: claims.sid,
      event: (sessionsEnded) =>
        ctx.event("two_factor_enabled", meta, { userId: claims.sub, familyId: claims.sid }, { sessionsEnded }, now),
    });
    if (!enabled) return fail("not_pending");
    return { ok: true, recoveryCodes: codes, sessionsEnded: enabled.sessionsEnded };
  }

  async function disable(
    claims: AccessClaims,
    meta: RequestMeta,
  ): Promise<Result<object, "reauthentication_required" | "not_enabled">> {
    if (!ctx.recentlyAuthenticated(claims)) return fail("reauthentication_required");
    const user = await store.userById(claims.sub);
    if (!user) return fail("not_enabled");
    const done = await store.disableTwoFactor({
      userId: user.id,
      event: ctx.event("two_factor_disabled", meta, { userId: user.id, familyId: claims.sid }),
      mail: ctx.mail(user.email, {
        kind: "two_factor_turned_off",
        byAdministrator: false,
        securityLink: ctx.link("/account/security"),
      }),
    });
    if (!done) return fail("not_enabled");
    ctx.mailQueued();
    return { ok: true };
  }

  /** A new set of ten recovery codes; the old ones stop working. */
  async function regenerateRecoveryCodes(
    claims: AccessClaims,
    meta: RequestMeta,
  ): Promise<Result<{ recoveryCodes: string[] }, "reauthentication_required" | "not_enabled">> {
    if (!ctx.recentlyAuthenticated(claims)) return fail("reauthentication_required");
    const { codes, stored } = freshRecoveryCodes();
    const replaced = await store.replaceRecoveryCodes({
      userId: claims.sub,
      codes: stored,
      now: clock.now(),
      event: ctx.event("recovery_codes_regenerated", meta, { userId: claims.sub, familyId: claims.sid }),
    });
    return replaced ? { ok: true, recoveryCodes: codes } : fail("not_enabled");
  }

  /**
   * Checks a second factor for a user with two-step on: a TOTP code (its step accepted once, ever)
   * or an unused recovery code (used up, and its owner mailed). True when it was good.
   */
  async function checkProof(userId: string, email: string, proof: SecondFactorProof): Promise<boolean> {
    const row = await store.twoFactorOf(userId);
    if (!row?.enabledAt) return false;
    if ("code" in proof) {
      const secret = secretOf(row);
      const step = secret ? totpStepOf(secret, proof.code.trim(), clock.now()) : null;
      return step !== null && (await store.useTotpStep({ userId, step }));
    }
    const codes = await store.recoveryCodesOf(userId);
    const match = codes.find((c) => c.usedAt === null && recoveryCodeMatches(proof.recoveryCode, c.codeHash));
    if (!match) return false;
    const left = codes.filter((c) => c.usedAt === null).length - 1;
    const used = await store.useRecoveryCode({
      id: match.id,
      userId,
      now: clock.now(),
      mail: ctx.mail(email, {
        kind: "recovery_code_used",
        codesLeft: left,
        securityLink: ctx.link("/account/security"),
      }),
    });
    if (used) ctx.mailQueued();
    return used;
  }

  /** The live pending sign-in behind a token, or undefined. */
  async function livePending(token: string): Promise<PendingSignInRow | undefined> {
    if (!isWellFormedOpaqueToken(token)) return undefined;
    const row = await store.pendingSignIn(hashOpaqueToken(token));
    if (!row || row.usedAt !== null || row.expiresAt <= clock.now()) return undefined;
    return row;
  }

  /** Whose pending sign-in this is (for the caller's per-account attempt limits). */
  async function pendingSignInOwner(token: string): Promise<{ email: string } | undefined> {
    const row = await livePending(token);
    const user = row && (await store.userById(row.userId));
    return user ? { email: user.email } : undefined;
  }

  /**
   * The second step of a sign-in: a code or a recovery code for the pending sign-in behind
   * `token`. Five attempts, five minutes, one use; the client must be the one that started it (a
   * browser's cookie is not an app's mfa_token, and a DPoP-bound app proves the same key). Then
   * the pipeline starts the session, with both factors in its `amr`.
   */
  async function verifySecondStep(
    token: string,
    proof: SecondFactorProof,
    meta: RequestMeta,
    client: Client,
  ): Promise<SignInOutcome | Result<never, "expired" | "too_many_attempts" | "invalid_code" | "wrong_client">> {
    const pending = await livePending(token);
    if (!pending) return fail("expired");
    if (pending.client !== client.kind || pending.dpopJkt !== client.dpopJkt) return fail("wrong_client");
    const attempts = await store.countPendingAttempt(pending.id);
    if (attempts > PENDING_SIGN_IN_ATTEMPTS) return fail("too_many_attempts");
    const user = await store.userById(pending.userId);
    if (!user) return fail("expired");
    if (!(await checkProof(user.id, user.email, proof))) {
      await ctx.record("second_factor_failed", meta, { userId: user.id }, { attempt: attempts });
      return fail(attempts >= PENDING_SIGN_IN_ATTEMPTS ? "too_many_attempts" : "invalid_code");
    }
    // One use, even for two right codes sent at once.
    if (!(await store.usePendingSignIn({ id: pending.id, now: clock.now() }))) return fail("expired");
    const recovery = "recoveryCode" in proof;
    if (recovery) await ctx.record("recovery_code_used", meta, { userId: user.id });
    return pipeline.completeSignIn({
      user,
      methods: [...parseAmr(pending.amr), "otp"],
      provider: pending.provider,
      meta,
      client,
      detail: { via: recovery ? "recovery_code" : "totp" },
    });
  }

  /** An administrator turns a user's two-step off (a lost phone and no recovery codes); the user is mailed. */
  async function resetByAdministrator(
    admin: AccessClaims,
    userId: string,
    meta: RequestMeta,
  ): Promise<Result<object, "reauthentication_required" | "not_enabled" | "not_found">> {
    if (!ctx.recentlyAuthenticated(admin)) return fail("reauthentication_required");
    const user = await store.userById(userId);
    if (!user) return fail("not_found");
    const done = await store.disableTwoFactor({
      userId,
      event: ctx.event("two_factor_reset_by_admin", meta, { userId }, { by: admin.sub }),
      mail: ctx.mail(user.email, {
        kind: "two_factor_turned_off",
        byAdministrator: true,
        securityLink: ctx.link("/account/security"),
      }),
    });
    if (!done) return fail("not_enabled");
    ctx.mailQueued();
    return { ok: true };
  }

  return {
    twoFactorStatus: status,
    beginTwoFactorSetup: beginSetup,
    enableTwoFactor: enable,
    disableTwoFactor: disable,
    regenerateRecoveryCodes,
    pendingSignInOwner,
    verifySecondStep,
    resetTwoFactorByAdministrator: resetByAdministrator,
    /** For step-up: a code or recovery code of a signed-in user. */
    checkSecondFactor: checkProof,
  };
}

export type TwoFactor = ReturnType<typeof createTwoFactor>;
