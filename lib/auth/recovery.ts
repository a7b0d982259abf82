import type { AuthContext } from "@/lib/auth/context";
import type { EventType, RequestMeta } from "@/lib/auth/events";
import { hashPassword, verifyPassword } from "@/lib/auth/passwords";
import { hashOpaqueToken, isWellFormedOpaqueToken, newOpaqueToken } from "@/lib/auth/opaque-token";
import { fail, type Result } from "@/lib/auth/results";
import type { PendingSecondFactor, Pipeline, NewSession } from "@/lib/auth/pipeline";
import type { EmailTokenKind, EmailTokenRow, Registration, UserRow } from "@/lib/auth/store";
import { normaliseEmail } from "@/lib/auth/users";

const LINK_PATHS: Record<EmailTokenKind, string> = {
  password_reset: "/reset-password",
  email_verification: "/verify-email",
};

/**
 * Account recovery and email verification by emailed link. Links carry a 256-bit token in the URL
 * fragment; only its hash is stored; each is single use (the store's gate) and expires. Nothing
 * here reveals whether an address has an account: the caller answers the same either way. Every
 * mail is queued with the change that causes it and obeys the address's hourly budget, silently.
 *
 * A verification link proves the mailbox only. It verifies the address for someone who also
 * proves the password in the same step: a session of that account in this browser, or the
 * password typed on the page, which for a registration's link is the password that registration
 * chose (docs/decisions/registration-links.md).
 */
export function createRecovery(ctx: AuthContext, pipeline: Pipeline) {
  const { store, clock, random, config } = ctx;

  /** Issues a link and queues its mail; false (nothing written) when the mail budget is spent. */
  async function issueLink(
    user: Pick<UserRow, "id" | "email">,
    kind: EmailTokenKind,
    meta: RequestMeta,
    event: { type: EventType; detail?: Record<string, unknown> },
    registration: Registration | null = null,
  ): Promise<boolean> {
    const token = newOpaqueToken(random);
    const now = clock.now();
    const ttlSeconds = kind === "password_reset" ? config.passwordResetTtl : config.emailVerificationTtl;
    const queued = await store.issueEmailToken({
      token: {
        id: random.uuid(),
        userId: user.id,
        kind,
        tokenHash: hashOpaqueToken(token),
        now,
        expiresAt: now + ttlSeconds * 1000,
        registration,
      },
      mail: ctx.mail(user.email, { kind, link: ctx.link(LINK_PATHS[kind], token), ttlSeconds }, now),
      event: ctx.event(event.type, meta, { userId: user.id }, event.detail, now),
    });
    await ctx.afterMail(queued, kind, meta, user.id);
    return queued;
  }

  /** Mails a reset link if the address has an (enabled) account; the answer never says which. */
  async function requestPasswordReset(email: string, meta: RequestMeta): Promise<{ ok: true }> {
    const user = await store.userByEmail(normaliseEmail(email));
    if (!user || user.disabledAt !== null) {
      await ctx.record("password_reset_requested", meta, {}, { known: false });
      return { ok: true };
    }
    await issueLink(user, "password_reset", meta, { type: "password_reset_requested", detail: { known: true } });
    return { ok: true };
  }

  /** A live link of this kind, with its user (enabled), or undefined. A cheap look: no hash work. */
  async function liveLink(token: string, kind: EmailTokenKind) {
    if (!isWellFormedOpaqueToken(token)) return undefined;
    const tokenHash = hashOpaqueToken(token);
    const row: EmailTokenRow | undefined = await store.emailToken(tokenHash);
    if (!row || row.kind !== kind || row.usedAt !== null || row.expiresAt <= clock.now()) return undefined;
    const user = await store.userById(row.userId);
    if (!user || user.disabledAt !== null) return undefined;
    return { tokenHash, row, user };
  }

  /** A new password from a reset link: token version bumped, every session ended, a notice mailed. */
  async function resetPassword(
    token: string,
    newPassword: string,
    meta: RequestMeta,
  ): Promise<Result<object, "invalid_token">> {
    // A cheap look first, so a bad link does not cost an argon2 hash.
    const link = await liveLink(token, "password_reset");
    if (!link) return fail("invalid_token");
    const passwordHash = await hashPassword(newPassword);
    const now = clock.now();
    const done = await store.resetPassword({
      tokenHash: link.tokenHash,
      now,
      passwordHash,
      event: (userId, sessionsEnded) => ctx.event("password_reset_completed", meta, { userId }, { sessionsEnded }, now),
      mail: ctx.mail(link.user.email, { kind: "password_changed", resetLink: ctx.link("/forgot-password") }, now),
    });
    if (!done) return fail("invalid_token");
    ctx.mailQueued();
    return { ok: true };
  }

  /**
   * Mails a verification link (registration, or the "Resend" button). A registration's link
   * carries what that registration chose (`registration`); a resent link carries nothing, so the
   * account's own password (or a session of it) completes it.
   */
  async function sendVerification(
    userId: string,
    meta: RequestMeta,
    registration: Registration | null = null,
  ): Promise<Result<object, "already_verified" | "user_gone">> {
    const user = await store.userById(userId);
    if (!user) return fail("user_gone");
    if (user.emailVerifiedAt !== null) return fail("already_verified");
    await issueLink(user, "email_verification", meta, { type: "email_verification_sent" }, registration);
    return { ok: true };
  }

  /** EMAIL_VERIFICATION=required, a registration for a confirmed address: its owner is told. */
  async function sendAccountExistsNotice(owner: UserRow, meta: RequestMeta): Promise<void> {
    const now = clock.now();
    const queued = await store.queueMail({
      mail: ctx.mail(owner.email, { kind: "account_exists", resetLink: ctx.link("/forgot-password") }, now),
      event: ctx.event("register_existing_email", meta, { userId: owner.id }, {}, now),
    });
    await ctx.afterMail(queued, "account_exists", meta, owner.id);
  }

  /**
   * The address of a live verification link's account, for the caller's attempt limits (a typed
   * password is checked against it). Undefined for a dead link.
   */
  async function verificationLinkOwner(token: string): Promise<{ email: string } | undefined> {
    const link = await liveLink(token, "email_verification");
    return link && { email: link.user.email };
  }

  /**
   * Uses a verification link. Proof of the password is required with it: `sessionUserId` (the
   * account signed in in this browser) for a link that carries no registration, else `password`
   * (the registration's, or the account's). With a typed password the person is signed in too.
   */
  async function verifyEmail(
    input: { token: string; password?: string | null; sessionUserId: string | null },
    meta: RequestMeta,
  ): Promise<
    Result<
      { session: NewSession | null; pending?: PendingSecondFactor },
      "invalid_token" | "password_required" | "wrong_password"
    >
  > {
    const link = await liveLink(input.token, "email_verification");
    if (!link) return fail("invalid_token");
    const { row, user } = link;
    const bySession = row.registrationPasswordHash === null && input.sessionUserId === user.id;
    if (!bySession) {
      if (input.password === undefined || input.password === null) return fail("password_required");
      if (!(await verifyPassword(row.registrationPasswordHash ?? user.passwordHash, input.password))) {
        await ctx.record("email_verification_failed", meta, { userId: user.id }, { reason: "wrong_password" });
        return fail("wrong_password");
      }
    }
    const now = clock.now();
    const done = await store.verifyEmail({
      tokenHash: link.tokenHash,
      now,
      event: (userId, sessionsEnded) =>
        ctx.event(
          "email_verified",
          meta,
          { userId },
          {
            proof: bySession ? "session" : "password",
            ...(row.registrationPasswordHash !== null ? { registration: true, sessionsEnded } : {}),
          },
          now,
        ),
    });
    if (!done) return fail("invalid_token");
    if (bySession) return { ok: true, session: null };
    const verified = await store.userById(user.id);
    if (!verified) return fail("invalid_token");
    // Verified either way; signing in goes through the pipeline (two-step on: the second step).
    const started = await pipeline.completeSignIn({
      user: verified,
      methods: ["pwd"],
      meta,
      detail: { via: "verification_link" },
    });
    if (started.ok) return { ok: true, session: started };
    return {
      ok: true,
      session: null,
      ...(started.error === "second_factor_required" ? { pending: started.pending } : {}),
    };
  }

  return {
    requestPasswordReset,
    resetPassword,
    sendVerification,
    sendAccountExistsNotice,
    verificationLinkOwner,
    verifyEmail,
  };
}

export type Recovery = ReturnType<typeof createRecovery>;
