import type { AccessClaims } from "@/lib/auth/access-token";
import { parseAmr } from "@/lib/auth/amr";
import type { AuthContext, IssuedAccess, IssuedRefresh } from "@/lib/auth/context";
import type { RequestMeta } from "@/lib/auth/events";
import { hashPassword, verifyPassword } from "@/lib/auth/passwords";
import { issueRefreshToken } from "@/lib/auth/refresh-token";
import { fail, type Result } from "@/lib/auth/results";
import { toPublicUser, type PublicUser } from "@/lib/auth/users";

export type PasswordChangeError = "wrong_password" | "same_password" | "user_gone";

export function createPasswordChange(ctx: AuthContext) {
  const { store, clock, random } = ctx;

  /**
   * Changes the password. Every other session ends; this one stays with a new access token and a
   * new refresh token: the old one is retired as if rotated, so a stolen copy presented later is
   * refused (past the grace window, as reuse).
   */
  async function changePassword(
    claims: AccessClaims,
    input: { currentPassword: string; newPassword: string },
    meta: RequestMeta,
  ): Promise<
    Result<
      {
        user: PublicUser;
        access: IssuedAccess;
        refresh: IssuedRefresh;
        sessionsEnded: number;
        sessionStartedAt: number;
      },
      PasswordChangeError
    >
  > {
    const user = await store.userById(claims.sub);
    if (!user) return fail("user_gone");
    if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
      await ctx.record("password_change_failed", meta, { userId: user.id, familyId: claims.sid });
      return fail("wrong_password");
    }
    // Told only after the current password was checked, so it reveals nothing.
    if (input.newPassword === input.currentPassword) return fail("same_password");
    const passwordHash = await hashPassword(input.newPassword);
    const now = clock.now();
    let refreshToken = "";
    const changed = await store.changePassword({
      userId: user.id,
      familyId: claims.sid,
      passwordHash,
      now,
      issueToken: (generation) => {
        const issued = issueRefreshToken({ id: claims.sid, generation }, random, ctx.sealer);
        refreshToken = issued.token;
        return issued.hash;
      },
      denyJti: ctx.denyEntry(claims),
      event: (sessionsEnded) =>
        ctx.event("password_changed", meta, { userId: user.id, familyId: claims.sid }, { sessionsEnded }, now),
      mail: ctx.mail(user.email, { kind: "password_changed", resetLink: ctx.link("/forgot-password") }, now),
    });
    if (!changed) return fail("user_gone");
    ctx.mailQueued();
    const updated = await store.userById(user.id);
    if (!updated) return fail("user_gone");
    return {
      ok: true,
      user: toPublicUser(updated),
      access: await ctx.mintAccess(updated, {
        id: claims.sid,
        dpopJkt: null,
        amr: parseAmr(changed.amr),
        authTime: changed.authTime,
      }),
      refresh: { token: refreshToken, maxAge: ctx.refreshMaxAge(now, changed.absoluteExpiresAt) },
      sessionsEnded: changed.sessionsEnded,
      sessionStartedAt: changed.createdAt,
    };
  }

  return { changePassword };
}
