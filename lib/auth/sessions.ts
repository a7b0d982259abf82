import { BROWSER, type AuthContext, type Client, type IssuedAccess, type IssuedRefresh } from "@/lib/auth/context";
import type { EventType, RequestMeta } from "@/lib/auth/events";
import { hashOpaqueToken, newOpaqueToken } from "@/lib/auth/opaque-token";
import type { UserRow } from "@/lib/auth/store";
import { toPublicUser, type PublicUser } from "@/lib/auth/users";

/** What starting a session needs to know of the user. */
export type SessionUser = Pick<UserRow, "id" | "email" | "name" | "role" | "tokenVersion" | "emailVerifiedAt">;

/** What a new session hands to the HTTP layer: the user, both tokens, when it started. */
export type NewSession = { user: PublicUser; access: IssuedAccess; refresh: IssuedRefresh; sessionStartedAt: number };

/** Starting a session: a new family with its first refresh token, and an access token for it. */
export function createSessions(ctx: AuthContext) {
  const { store, clock, random, config } = ctx;

  async function startSession(
    user: SessionUser,
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

  return { startSession };
}

export type Sessions = ReturnType<typeof createSessions>;
