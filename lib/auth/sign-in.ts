import type { AuthContext, IssuedAccess, IssuedRefresh } from "@/lib/auth/context";
import type { EventType, RequestMeta } from "@/lib/auth/events";
import { hashPassword, verifyAgainstDummy, verifyPassword } from "@/lib/auth/passwords";
import { hashRefreshToken, newRefreshToken } from "@/lib/auth/refresh-token";
import { fail, type Result } from "@/lib/auth/results";
import type { Role } from "@/lib/auth/roles";
import type { UserRow } from "@/lib/auth/store";
import { normaliseEmail, toPublicUser, type PublicUser } from "@/lib/auth/users";

/** What a new session hands to the HTTP layer: the user, both tokens, when it started. */
export type NewSession = { user: PublicUser; access: IssuedAccess; refresh: IssuedRefresh; sessionStartedAt: number };

/** Registration and sign-in: each starts a new family (session). */
export function createSignIn(ctx: AuthContext) {
  const { store, clock, random, config } = ctx;

  /** A new family with its first refresh token, and an access token for it. */
  async function startSession(user: UserRow, meta: RequestMeta, type: EventType): Promise<NewSession> {
    const now = clock.now();
    const familyId = random.uuid();
    const refreshToken = newRefreshToken(random);
    const absoluteExpiresAt = now + config.sessionMaxAge * 1000;
    await store.startFamily(
      { id: familyId, userId: user.id, now, absoluteExpiresAt, userAgent: meta.userAgent?.slice(0, 512) ?? null, ip: meta.ip },
      {
        id: random.uuid(),
        familyId,
        parentId: null,
        generation: 0,
        tokenHash: hashRefreshToken(refreshToken),
        now,
        expiresAt: Math.min(now + ctx.idleMs, absoluteExpiresAt),
      },
      ctx.event(type, meta, { userId: user.id, familyId }, {}, now),
    );
    return {
      user: toPublicUser(user),
      access: await ctx.mintAccess(user, familyId),
      refresh: { token: refreshToken, maxAge: ctx.refreshMaxAge(now, absoluteExpiresAt) },
      sessionStartedAt: now,
    };
  }

  async function register(
    input: { email: string; password: string; name?: string | null },
    meta: RequestMeta,
    role: Role = "user",
  ): Promise<Result<NewSession, "email_taken">> {
    const email = normaliseEmail(input.email);
    if (await store.userByEmail(email)) return fail("email_taken");
    const user: UserRow = {
      id: random.uuid(),
      email,
      name: input.name?.trim() || null,
      passwordHash: await hashPassword(input.password),
      role,
      tokenVersion: 0,
      disabledAt: null,
      createdAt: clock.now(),
    };
    // Two registrations may race past the check above: the store's unique email decides.
    const inserted = await store.insertUser(user);
    if (!inserted.ok) return inserted;
    return { ok: true, ...(await startSession(user, meta, "register")) };
  }

  async function login(
    input: { email: string; password: string },
    meta: RequestMeta,
  ): Promise<Result<NewSession, "invalid_credentials">> {
    const user = await store.userByEmail(normaliseEmail(input.email));
    // Unknown email: still pay for a hash verify, so timing does not reveal which accounts exist.
    const valid = user ? await verifyPassword(user.passwordHash, input.password) : await verifyAgainstDummy(input.password);
    if (!user || !valid || user.disabledAt !== null) {
      await ctx.record("sign_in_failed", meta, { userId: user?.id ?? null }, { reason: user ? "wrong_password" : "unknown_email" });
      return fail("invalid_credentials");
    }
    return { ok: true, ...(await startSession(user, meta, "sign_in")) };
  }

  return { register, login };
}
