import { parseAmr } from "@/lib/auth/amr";
import {
  BROWSER,
  type AuthContext,
  type Client,
  type IssuedAccess,
  type IssuedRefresh,
  type MintedFamily,
} from "@/lib/auth/context";
import type { RequestMeta } from "@/lib/auth/events";
import { isWellFormedRefreshToken, issueRefreshToken, locateRefreshToken } from "@/lib/auth/refresh-token";
import { fail, type Result } from "@/lib/auth/results";
import type { FamilyRow, RotationDecision, UserRow } from "@/lib/auth/store";
import { toPublicUser, type PublicUser } from "@/lib/auth/users";

/** Why a refresh was refused. `reuse_detected` also covers a token of a family already ended for reuse. */
export type RefreshError =
  | "malformed"
  | "unknown"
  | "revoked"
  | "expired"
  | "reuse_detected"
  | "user_gone"
  /** A browser token at the token endpoint or a native one as a cookie: refused, not burnt. */
  | "wrong_client"
  /** The family is DPoP-bound and the proof is missing or from another key (or the reverse). */
  | "dpop_mismatch";

/** What the rotation rules decided for one presented refresh token. */
export type RefreshOutcome =
  | {
      kind: "rotated";
      user: UserRow;
      family: MintedFamily;
      familyCreatedAt: number;
      refreshToken: string;
      maxAge: number;
    }
  | { kind: "grace"; user: UserRow; family: MintedFamily; familyCreatedAt: number }
  | { kind: "failed"; error: RefreshError; alert?: Record<string, unknown> };

export type RefreshResult = Result<
  {
    user: PublicUser;
    access: IssuedAccess;
    /** Null inside the grace window: an access token only, the family does not fork. */
    refresh: IssuedRefresh | null;
    sessionStartedAt: number;
  },
  RefreshError
>;

/**
 * Refresh-token rotation: every rule about a presented refresh token lives in `decide`, which the
 * store runs inside one transaction with what it read, so its decision and writes are atomic.
 */
export function createRotation(ctx: AuthContext) {
  const { store, clock, random } = ctx;

  /**
   * The rules for a presented token of `family` (its generation and hash; see
   * docs/decisions/refresh-tokens-in-the-family.md): the live token rotates; the one it replaced is
   * a second tab inside the grace window, a lost answer outside it (unless it was superseded), and
   * any other token of the family is reuse, which ends the family.
   */
  function decide(
    found: { family: FamilyRow; user: UserRow | undefined } | undefined,
    presented: { generation: number; hash: string },
    meta: RequestMeta,
    client: Client,
  ): RotationDecision<RefreshOutcome> {
    const failed = (error: RefreshError) => ({ kind: "failed" as const, error });
    if (!found) return { writes: {}, result: failed("unknown") };
    const { family, user } = found;
    // Checked before anything is written: a token presented the wrong way is refused, not burnt.
    if (family.client !== client.kind) return { writes: {}, result: failed("wrong_client") };
    if (family.dpopJkt !== client.dpopJkt) return { writes: {}, result: failed("dpop_mismatch") };
    const now = clock.now();
    const ids = { userId: family.userId, familyId: family.id };
    if (family.revokedAt !== null) {
      // The holder of a token whose family was ended for reuse learns why.
      const error = family.revokedReason === "reuse_detected" ? "reuse_detected" : "revoked";
      return {
        writes: { now, event: ctx.event("refresh_failed", meta, ids, { reason: "revoked" }, now) },
        result: failed(error),
      };
    }
    if (!user || user.disabledAt !== null) {
      return { writes: { now, revokeFamily: { reason: "user_disabled" } }, result: failed("user_gone") };
    }
    if (now >= family.absoluteExpiresAt || now >= family.lastUsedAt + ctx.idleMs) {
      const reason = now >= family.absoluteExpiresAt ? "expired_absolute" : "expired_idle";
      return {
        writes: { now, revokeFamily: { reason }, event: ctx.event("refresh_failed", meta, ids, { reason }, now) },
        result: failed("expired"),
      };
    }
    const isLive = presented.generation === family.generation && presented.hash === family.tokenHash;
    if (isLive) {
      // A routine rotation writes no audit row: the family's last_used_at says it (O(1) rows per session).
      const { next, advance } = successor(family, { generation: family.generation, hash: family.tokenHash }, now);
      return { writes: { now, advance }, result: rotated(family, user, next.token, now) };
    }
    const isPrevious =
      presented.generation === family.previousGeneration && presented.hash === family.previousTokenHash;
    // A password change supersedes the live token right after a rotation: the token that rotation
    // consumed, one generation further back, is still a racing tab inside the grace window (its tag
    // proved we issued it). Outside the window it is reuse like any other.
    const isBeforeSuperseded =
      family.previousSuperseded &&
      family.previousGeneration !== null &&
      presented.generation === family.previousGeneration - 1;
    if ((isPrevious || isBeforeSuperseded) && family.previousUsedAt !== null) {
      // Already rotated. Within the grace window this is a second tab racing the first: an access
      // token but no refresh token (the family does not fork). Recorded, so a thief's replay
      // inside the window is not silent.
      const usedAgoMs = now - family.previousUsedAt;
      if (ctx.graceMs > 0 && usedAgoMs <= ctx.graceMs) {
        return {
          writes: {
            now,
            touchFamily: true,
            event: ctx.event("refresh_grace", meta, ids, { generation: presented.generation, usedAgoMs }, now),
          },
          result: { kind: "grace", user, family: mintedFamily(family), familyCreatedAt: family.createdAt },
        };
      }
      // A lost answer (the server committed a rotation but the client never got the successor,
      // e.g. an instance died): the live token was never used (else this one would be two
      // generations back), so replace it and carry on. A superseded token (a password change
      // retired it) means two holders: theft. docs/decisions/lost-answer.md explains why this is safe.
      if (isPrevious && !family.previousSuperseded) {
        // The previous token stays the previous one: it is what this client holds.
        const previous = { generation: family.previousGeneration, hash: family.previousTokenHash };
        const { next, advance } = successor(family, previous, now);
        return {
          writes: {
            now,
            advance,
            event: ctx.event("refresh_recovered", meta, ids, { generation: family.generation + 1, usedAgoMs }, now),
          },
          result: rotated(family, user, next.token, now),
        };
      }
    }
    // Any other token of this family (older, or superseded): two parties hold it, one is a thief.
    // End the whole family.
    const usedAgoMs = family.previousUsedAt === null ? null : now - family.previousUsedAt;
    return {
      writes: {
        now,
        revokeFamily: { reason: "reuse_detected" },
        event: ctx.event("refresh_reuse_detected", meta, ids, { generation: presented.generation, usedAgoMs }, now),
      },
      result: { ...failed("reuse_detected"), alert: { ...ids, generation: presented.generation, usedAgoMs } },
    };
  }

  /** A new live token of the next generation in place of the current one, `previous` (used now) behind it. */
  function successor(family: FamilyRow, previous: { generation: number | null; hash: string | null }, now: number) {
    const next = issueRefreshToken({ id: family.id, generation: family.generation + 1 }, random, ctx.sealer);
    const advance = {
      fromHash: family.tokenHash!,
      to: {
        generation: family.generation + 1,
        tokenHash: next.hash,
        previousGeneration: previous.generation,
        previousTokenHash: previous.hash,
        previousUsedAt: now,
        previousSuperseded: false,
      },
    };
    return { next, advance };
  }

  /** How the family's access tokens are minted: amr and auth_time carry over, rotation never changes them. */
  function mintedFamily(family: FamilyRow): MintedFamily {
    return { id: family.id, dpopJkt: family.dpopJkt, amr: parseAmr(family.amr), authTime: family.authTime };
  }

  function rotated(family: FamilyRow, user: UserRow, refreshToken: string, now: number): RefreshOutcome {
    return {
      kind: "rotated",
      user,
      family: mintedFamily(family),
      familyCreatedAt: family.createdAt,
      refreshToken,
      maxAge: ctx.refreshMaxAge(now, family.absoluteExpiresAt),
    };
  }

  /** Rotates a refresh token; signing the new access token happens after the store committed. */
  async function refresh(presented: string, meta: RequestMeta, client: Client = BROWSER): Promise<RefreshResult> {
    if (!isWellFormedRefreshToken(presented)) return fail("malformed");
    const located = await locateRefreshToken(presented, store, ctx.sealer);
    // A forged tag, or a legacy token we never issued: unknown, and it changes nothing.
    if (!located) return fail("unknown");
    const outcome = await store.rotate(located.familyId, (found) => decide(found, located, meta, client));
    if (outcome.kind === "failed") {
      if (outcome.alert) ctx.alert("refresh_reuse_detected", outcome.alert);
      return fail(outcome.error);
    }
    return {
      ok: true,
      user: toPublicUser(outcome.user),
      access: await ctx.mintAccess(outcome.user, outcome.family),
      refresh: outcome.kind === "rotated" ? { token: outcome.refreshToken, maxAge: outcome.maxAge } : null,
      sessionStartedAt: outcome.familyCreatedAt,
    };
  }

  return { refresh };
}
