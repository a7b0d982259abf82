import { verifyAccessToken, type AccessClaims } from "@/lib/auth/access-token";
import type { AuthContext } from "@/lib/auth/context";
import type { RequestMeta } from "@/lib/auth/events";
import { isWellFormedRefreshToken, locateRefreshToken } from "@/lib/auth/refresh-token";
import { fail, type Result } from "@/lib/auth/results";
import { normaliseEmail } from "@/lib/auth/users";

/** Ending sessions: this one, all of a user's, one device, or (admin) everyone else's. */
export function createRevocation(ctx: AuthContext) {
  const { store, clock, keys, tokenSettings } = ctx;

  /**
   * Ends this session: revokes the family (found by the refresh token, else the access token's
   * sid) and deny-lists the access token's jti until its exp. Idempotent.
   */
  async function logout(tokens: { access?: string; refresh?: string }, meta: RequestMeta): Promise<{ ok: true }> {
    const now = clock.now();
    const verified = tokens.access ? await verifyAccessToken(tokens.access, keys, tokenSettings, now) : undefined;
    const claims = verified?.ok ? verified.claims : undefined;
    let familyId = claims?.sid;
    let userId = claims?.sub;
    if (tokens.refresh && isWellFormedRefreshToken(tokens.refresh)) {
      const located = await locateRefreshToken(tokens.refresh, store, ctx.sealer);
      const family = located && (await store.familyById(located.familyId));
      if (family) {
        familyId = family.id;
        userId = family.userId;
      }
    }
    const denyJti = claims ? ctx.denyEntry(claims) : undefined;
    if (familyId && userId) {
      const event = ctx.event("sign_out", meta, { userId, familyId }, {}, now);
      await store.endFamily({ familyId, userId, now, reason: "logout", denyJti, event });
    } else if (denyJti) {
      await store.denyJti(denyJti);
    }
    return { ok: true };
  }

  /** Ends every session of the user, this one included. */
  async function logoutEverywhere(
    claims: AccessClaims,
    meta: RequestMeta,
  ): Promise<Result<{ ended: number }, "user_gone">> {
    const now = clock.now();
    const ended = await store.endUserFamilies({
      userId: claims.sub,
      now,
      reason: "logout_all",
      bumpTokenVersion: true,
      denyJti: ctx.denyEntry(claims),
      event: (sessionsEnded) =>
        ctx.event("sign_out_everywhere", meta, { userId: claims.sub, familyId: claims.sid }, { sessionsEnded }, now),
    });
    return ended === null ? fail("user_gone") : { ok: true, ended };
  }

  /** Ends one of the user's own sessions. Someone else's (or an unknown) id is "not_found". */
  async function endSession(userId: string, familyId: string, meta: RequestMeta): Promise<Result<object, "not_found">> {
    const now = clock.now();
    const event = ctx.event("session_ended", meta, { userId, familyId }, {}, now);
    return (await store.endFamily({ familyId, userId, now, reason: "session_ended", event }))
      ? { ok: true }
      : fail("not_found");
  }

  /**
   * Admin: end every session of a user (by id or email) and invalidate their access tokens.
   * `by` is the acting administrator's id, or "cli" for an operator at the command line.
   * Returns who it was, so the admin sees the account they acted on.
   */
  async function endAllSessionsOf(
    target: { userId: string } | { email: string },
    by: string,
    meta: RequestMeta,
  ): Promise<Result<{ ended: number; user: { id: string; email: string } }, "not_found">> {
    const user =
      "userId" in target ? await store.userById(target.userId) : await store.userByEmail(normaliseEmail(target.email));
    if (!user) return fail("not_found");
    const now = clock.now();
    const ended = await store.endUserFamilies({
      userId: user.id,
      now,
      reason: "admin",
      bumpTokenVersion: true,
      event: (sessionsEnded) =>
        ctx.event("sessions_ended_by_admin", meta, { userId: user.id }, { by, sessionsEnded }, now),
    });
    if (ended === null) return fail("not_found");
    ctx.alert("sessions_ended_by_admin", { userId: user.id, by, sessionsEnded: ended });
    return { ok: true, ended, user: { id: user.id, email: user.email } };
  }

  return { logout, logoutEverywhere, endSession, endAllSessionsOf };
}
