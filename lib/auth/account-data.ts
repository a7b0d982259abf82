import type { AccessClaims } from "@/lib/auth/access-token";
import type { SecurityEvent } from "@/lib/auth/audit";
import type { AuthContext } from "@/lib/auth/context";
import type { DeviceSession } from "@/lib/auth/devices";
import type { RequestMeta } from "@/lib/auth/events";
import type { PublicPasskey } from "@/lib/auth/passkeys";
import type { ConnectedAccount } from "@/lib/auth/providers";
import { fail, type Result } from "@/lib/auth/results";
import type { TwoFactorStatus } from "@/lib/auth/two-factor";
import { normaliseEmail } from "@/lib/auth/users";
import { NO_PASSWORD } from "@/lib/auth/passwords";

/** How many of the person's events the export carries (the trail keeps AUDIT_RETENTION's worth). */
const EXPORT_EVENTS = 10_000;

/** What the export reads, from the parts of the core that own it. */
type Sources = {
  twoFactorStatus(userId: string): Promise<TwoFactorStatus>;
  listPasskeys(userId: string): Promise<PublicPasskey[]>;
  connectedAccounts(userId: string): Promise<ConnectedAccount[]>;
  listDevices(userId: string, currentSessionId: string): Promise<DeviceSession[]>;
  userEvents(userId: string, limit: number): Promise<SecurityEvent[]>;
};

/**
 * A person's own account: download what the app holds about them, and delete it. The export
 * never carries a hash, a secret, a key or a token; the deletion leaves only the audit trail,
 * which names the account by its random id (never the address) until AUDIT_RETENTION prunes it.
 */
export function createAccountData(ctx: AuthContext, sources: Sources) {
  const { store, clock } = ctx;

  async function exportAccount(claims: AccessClaims, meta: RequestMeta) {
    const user = await store.userById(claims.sub);
    if (!user) return fail("not_found");
    // Every column of users but what is a credential or an internal handle: a column a team
    // adds is exported without a change here.
    const { passwordHash, tokenVersion, passkeyUserId, ...account } = user;
    const data = {
      exportedAt: new Date(clock.now()).toISOString(),
      account: { ...account, hasPassword: passwordHash !== NO_PASSWORD },
      twoFactor: await sources.twoFactorStatus(user.id),
      passkeys: await sources.listPasskeys(user.id),
      connectedAccounts: await sources.connectedAccounts(user.id),
      sessions: await sources.listDevices(user.id, claims.sid),
      securityEvents: await sources.userEvents(user.id, EXPORT_EVENTS),
    };
    await ctx.record("data_exported", meta, { userId: user.id, familyId: claims.sid });
    return { ok: true as const, data };
  }

  /**
   * Deletes the signed-in person's account: a recent sign-in, and the address typed to confirm.
   * Every session ends with the rows (the access token's full check finds no user); the address
   * can register again as a new account. The last administrator cannot delete themselves.
   */
  async function deleteAccount(
    claims: AccessClaims,
    confirmEmail: string,
    meta: RequestMeta,
  ): Promise<Result<object, "reauthentication_required" | "confirmation_mismatch" | "last_admin" | "not_found">> {
    if (!ctx.recentlyAuthenticated(claims)) return fail("reauthentication_required");
    const user = await store.userById(claims.sub);
    if (!user) return fail("not_found");
    if (normaliseEmail(confirmEmail) !== user.email) return fail("confirmation_mismatch");
    const mail = ctx.mail(user.email, { kind: "account_deleted", registerLink: ctx.link("/register") });
    const outcome = await store.deleteUser({
      userId: user.id,
      recipientKey: mail.recipientKey,
      // The rate limiter's counters keyed by the address ("login_fail:<email>", "login_known:<ip>|<email>").
      forgetKeys: [`:${user.email}`, `|${user.email}`],
      event: ctx.event("account_deleted", meta, { userId: user.id, familyId: claims.sid }),
      mail,
    });
    if (outcome !== "deleted") return fail(outcome);
    ctx.mailQueued();
    return { ok: true };
  }

  return { exportAccount, deleteAccount };
}
