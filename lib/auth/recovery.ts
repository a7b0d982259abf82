import type { AuthContext } from "@/lib/auth/context";
import type { RequestMeta } from "@/lib/auth/events";
import { hashPassword } from "@/lib/auth/passwords";
import { hashOpaqueToken, isWellFormedOpaqueToken, newOpaqueToken } from "@/lib/auth/opaque-token";
import { fail, type Result } from "@/lib/auth/results";
import type { EmailTokenKind, UserRow } from "@/lib/auth/store";
import { normaliseEmail } from "@/lib/auth/users";
import { passwordChangedMail, passwordResetMail, verificationMail } from "@/lib/mail/templates";

/**
 * Account recovery and email verification by emailed link. Links carry a 256-bit token in the URL
 * fragment; only its hash is stored; each is single use (the store's gate), expires, and a newer
 * link of the same kind replaces older ones. Nothing here reveals whether an address has an
 * account: the caller answers the same either way.
 */
export function createRecovery(ctx: AuthContext) {
  const { store, clock, random, config, mailer } = ctx;

  async function issue(user: UserRow, kind: EmailTokenKind, ttlSeconds: number): Promise<string> {
    const token = newOpaqueToken(random);
    const now = clock.now();
    await store.issueEmailToken({
      id: random.uuid(),
      userId: user.id,
      kind,
      tokenHash: hashOpaqueToken(token),
      now,
      expiresAt: now + ttlSeconds * 1000,
    });
    return token;
  }

  /** Mails a reset link if the address has an (enabled) account; the answer never says which. */
  async function requestPasswordReset(email: string, meta: RequestMeta): Promise<{ ok: true }> {
    const user = await store.userByEmail(normaliseEmail(email));
    if (!user || user.disabledAt !== null) {
      await ctx.record("password_reset_requested", meta, {}, { known: false });
      return { ok: true };
    }
    const token = await issue(user, "password_reset", config.passwordResetTtl);
    mailer.send(passwordResetMail(user.email, ctx.link("/reset-password", token), config.passwordResetTtl));
    await ctx.record("password_reset_requested", meta, { userId: user.id }, { known: true });
    return { ok: true };
  }

  /** A new password from a reset link: token version bumped, every session ended, a notice mailed. */
  async function resetPassword(
    token: string,
    newPassword: string,
    meta: RequestMeta,
  ): Promise<Result<object, "invalid_token">> {
    if (!isWellFormedOpaqueToken(token)) return fail("invalid_token");
    const tokenHash = hashOpaqueToken(token);
    // A cheap look first, so a bad link does not cost an argon2 hash.
    const row = await store.emailToken(tokenHash);
    if (!row || row.kind !== "password_reset" || row.usedAt !== null || row.expiresAt <= clock.now())
      return fail("invalid_token");
    const passwordHash = await hashPassword(newPassword);
    const done = await store.resetPassword({
      tokenHash,
      now: clock.now(),
      passwordHash,
      event: (userId, sessionsEnded) => ctx.event("password_reset_completed", meta, { userId }, { sessionsEnded }),
    });
    if (!done) return fail("invalid_token");
    const user = await store.userById(done.userId);
    if (user) mailer.send(passwordChangedMail(user.email, ctx.link("/forgot-password")));
    return { ok: true };
  }

  /** Mails a verification link (registration, or the "Resend" button). */
  async function sendVerification(
    userId: string,
    meta: RequestMeta,
  ): Promise<Result<object, "already_verified" | "user_gone">> {
    const user = await store.userById(userId);
    if (!user) return fail("user_gone");
    if (user.emailVerifiedAt !== null) return fail("already_verified");
    const token = await issue(user, "email_verification", config.emailVerificationTtl);
    mailer.send(verificationMail(user.email, ctx.link("/verify-email", token), config.emailVerificationTtl));
    await ctx.record("email_verification_sent", meta, { userId });
    return { ok: true };
  }

  async function verifyEmail(token: string, meta: RequestMeta): Promise<Result<object, "invalid_token">> {
    if (!isWellFormedOpaqueToken(token)) return fail("invalid_token");
    const done = await store.verifyEmail({
      tokenHash: hashOpaqueToken(token),
      now: clock.now(),
      event: (userId) => ctx.event("email_verified", meta, { userId }),
    });
    return done ? { ok: true } : fail("invalid_token");
  }

  return { requestPasswordReset, resetPassword, sendVerification, verifyEmail };
}

export type Recovery = ReturnType<typeof createRecovery>;
