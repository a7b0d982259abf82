import { BROWSER, type AuthContext, type Client, type IssuedAccess, type IssuedRefresh } from "@/lib/auth/context";
import type { EventType, RequestMeta } from "@/lib/auth/events";
import { hashPassword, verifyAgainstDummy, verifyPassword } from "@/lib/auth/passwords";
import { hashOpaqueToken, newOpaqueToken } from "@/lib/auth/opaque-token";
import { fail, type Result } from "@/lib/auth/results";
import type { Role } from "@/lib/auth/roles";
import type { UserRow } from "@/lib/auth/store";
import { normaliseEmail, toPublicUser, type PublicUser } from "@/lib/auth/users";
import type { Recovery } from "@/lib/auth/recovery";
import { accountExistsMail } from "@/lib/mail/templates";

/** What a new session hands to the HTTP layer: the user, both tokens, when it started. */
export type NewSession = { user: PublicUser; access: IssuedAccess; refresh: IssuedRefresh; sessionStartedAt: number };

/** What registration answers when EMAIL_VERIFICATION=required: no session until the link is used. */
export type VerificationRequired = { ok: true; verificationRequired: true };

/** Registration and sign-in: each starts a new family (session). */
export function createSignIn(ctx: AuthContext, recovery: Pick<Recovery, "sendVerification">) {
  const { store, clock, random, config } = ctx;

  /** A new family with its first refresh token, and an access token for it. */
  async function startSession(
    user: UserRow,
    meta: RequestMeta,
    type: EventType,
    client: Client = BROWSER,
  ): Promise<NewSession> {
    const now = clock.now();
    const familyId = random.uuid();
    const refreshToken = newOpaqueToken(random);
    const absoluteExpiresAt = now + config.sessionMaxAge * 1000;
    await store.startFamily(
      {
        id: familyId,
        userId: user.id,
        now,
        absoluteExpiresAt,
        userAgent: meta.userAgent?.slice(0, 512) ?? null,
        ip: meta.ip,
        client: client.kind,
        dpopJkt: client.dpopJkt,
      },
      {
        id: random.uuid(),
        familyId,
        parentId: null,
        generation: 0,
        tokenHash: hashOpaqueToken(refreshToken),
        now,
        expiresAt: Math.min(now + ctx.idleMs, absoluteExpiresAt),
      },
      ctx.event(
        type,
        meta,
        { userId: user.id, familyId },
        client.kind === "native" ? { client: "native", dpop: !!client.dpopJkt } : {},
        now,
      ),
    );
    return {
      user: toPublicUser(user),
      access: await ctx.mintAccess(user, familyId, client.dpopJkt),
      refresh: { token: refreshToken, maxAge: ctx.refreshMaxAge(now, absoluteExpiresAt) },
      sessionStartedAt: now,
    };
  }

  async function register(
    input: { email: string; password: string; name?: string | null },
    meta: RequestMeta,
    role: Role = "user",
  ): Promise<Result<NewSession, "email_taken"> | VerificationRequired> {
    const email = normaliseEmail(input.email);
    const required = config.emailVerification === "required";
    const existing = await store.userByEmail(email);
    if (existing && !required) return fail("email_taken");
    if (existing) return answerForExistingAddress(existing, input.password, meta);
    const user: UserRow = {
      id: random.uuid(),
      email,
      name: input.name?.trim() || null,
      passwordHash: await hashPassword(input.password),
      role,
      tokenVersion: 0,
      disabledAt: null,
      emailVerifiedAt: null,
      createdAt: clock.now(),
    };
    // Two registrations may race past the check above: the store's unique email decides.
    const inserted = await store.insertUser(user);
    if (!inserted.ok) {
      const winner = required ? await store.userByEmail(email) : undefined;
      return winner ? answerForExistingAddress(winner, null, meta) : inserted;
    }
    if (required) {
      await ctx.record("register", meta, { userId: user.id }, { verificationRequired: true });
      await recovery.sendVerification(user.id, meta);
      return { ok: true, verificationRequired: true };
    }
    const session = await startSession(user, meta, "register");
    if (config.emailVerification === "optional") await recovery.sendVerification(user.id, meta);
    return { ok: true, ...session };
  }

  /**
   * EMAIL_VERIFICATION=required: a taken address gets the same answer as a new one, after the same
   * work (a password hash). Its owner is mailed a notice instead of a second account, or, if they
   * never verified (the first mail was lost), a fresh verification link.
   */
  async function answerForExistingAddress(
    owner: UserRow,
    password: string | null,
    meta: RequestMeta,
  ): Promise<VerificationRequired> {
    if (password !== null) await hashPassword(password);
    if (owner.emailVerifiedAt === null) {
      await recovery.sendVerification(owner.id, meta);
    } else {
      ctx.mailer.send(accountExistsMail(owner.email, ctx.link("/forgot-password")));
      await ctx.record("register_existing_email", meta, { userId: owner.id });
    }
    return { ok: true, verificationRequired: true };
  }

  async function login(
    input: { email: string; password: string },
    meta: RequestMeta,
    client: Client = BROWSER,
  ): Promise<Result<NewSession, "invalid_credentials" | "email_unverified">> {
    const user = await store.userByEmail(normaliseEmail(input.email));
    // Unknown email: still pay for a hash verify, so timing does not reveal which accounts exist.
    const valid = user
      ? await verifyPassword(user.passwordHash, input.password)
      : await verifyAgainstDummy(input.password);
    if (!user || !valid || user.disabledAt !== null) {
      await ctx.record(
        "sign_in_failed",
        meta,
        { userId: user?.id ?? null },
        { reason: user ? "wrong_password" : "unknown_email" },
      );
      return fail("invalid_credentials");
    }
    // Only told to someone who knows the password: it reveals nothing to a guesser.
    if (config.emailVerification === "required" && user.emailVerifiedAt === null) {
      await ctx.record("sign_in_failed", meta, { userId: user.id }, { reason: "email_unverified" });
      return fail("email_unverified");
    }
    return { ok: true, ...(await startSession(user, meta, "sign_in", client)) };
  }

  return { register, login };
}
