import { verifyAccessToken, type AccessClaims, type VerifyError } from "@/lib/auth/access-token";
import type { AuthContext } from "@/lib/auth/context";
import { fail, type Result } from "@/lib/auth/results";
import type { UserProfile } from "@/lib/auth/store";
import { toPublicUser, type PublicUser } from "@/lib/auth/users";
import { createVerifiedTokenCache } from "@/lib/auth/verified-token-cache";

/** Bounded: 10k tokens is ~4 MB (BENCHMARKS.md); older entries make way for newer. */
const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

type FullCheckError =
  | VerifyError
  | "user_gone"
  | "token_version"
  | "token_revoked"
  | "session_revoked"
  /** A DPoP-bound token without a proof from its key (as Bearer or cookie), or the reverse. */
  | "dpop_mismatch";
export type FullCheckResult = Result<
  {
    /** What clients may see of the user (GET /api/me, the session state). */
    user: PublicUser;
    /** The user's row but the password hash, for server code (pages): new columns arrive here. */
    profile: UserProfile;
    claims: AccessClaims;
    sessionStartedAt: number;
  },
  FullCheckError
>;

/**
 * The full check, used by every route handler and server component that needs a user: signature
 * and claims, then (one read) the user exists and is enabled, the token version is current, the
 * family belongs to the user and is live, and the jti is not deny-listed.
 */
export function createFullCheck(ctx: AuthContext) {
  const { store, clock, keys, tokenSettings } = ctx;
  // Signature and claims of a token already verified here are not checked again until it
  // expires: only the crypto is skipped; every revocation rule below reads the database.
  const verified = createVerifiedTokenCache(VERIFIED_TOKEN_CACHE_SIZE);

  async function verify(accessToken: string) {
    const now = clock.now();
    const hit = verified.get(accessToken, now);
    if (hit) return { ok: true as const, claims: hit };
    const result = await verifyAccessToken(accessToken, keys, tokenSettings, now);
    if (result.ok) verified.set(accessToken, result.claims);
    return result;
  }

  /**
   * `dpopJkt` is the thumbprint of a DPoP proof that came with the token (already verified, with
   * `ath`), or null: a bound token (cnf.jkt) needs exactly its key; an unbound one needs none.
   */
  async function authenticate(accessToken: string, dpopJkt: string | null = null): Promise<FullCheckResult> {
    const checked = await verify(accessToken);
    if (!checked.ok) return checked;
    const { claims } = checked;
    if ((claims.cnf?.jkt ?? null) !== dpopJkt) return fail("dpop_mismatch");
    const row = await store.fullCheck(claims.sub, claims.sid, claims.jti);
    if (!row || row.disabledAt !== null) return fail("user_gone");
    if (row.tokenVersion !== claims.ver) return fail("token_version");
    if (row.jtiRevoked) return fail("token_revoked");
    if (
      row.familyUserId !== claims.sub ||
      row.familyRevokedAt !== null ||
      row.familyAbsoluteExpiresAt === null ||
      row.familyAbsoluteExpiresAt <= clock.now()
    ) {
      return fail("session_revoked");
    }
    const { familyUserId, familyRevokedAt, familyCreatedAt, familyAbsoluteExpiresAt, jtiRevoked, ...profile } = row;
    return {
      ok: true,
      user: toPublicUser(row),
      profile,
      claims,
      sessionStartedAt: familyCreatedAt ?? 0,
    };
  }

  return {
    authenticate,
    /**
     * Signature and claims only (from the cache when verified before), no database: the cheap
     * check a request passes before anything costlier is done for it (a DPoP proof's signature).
     */
    verifyAccess: verify,
  };
}
