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
import { hashOpaqueToken, isWellFormedOpaqueToken, newOpaqueToken } from "@/lib/auth/opaque-token";
import { fail, type Result } from "@/lib/auth/results";
import type { NewRefreshToken, PresentedToken, RotationDecision, Successor, UserRow } from "@/lib/auth/store";
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

  function decide(
    found: { token: PresentedToken; user: UserRow | undefined; successor: Successor | undefined } | undefined,
    meta: RequestMeta,
    refreshToken: string,
    client: Client,
  ): RotationDecision<RefreshOutcome> {
    const failed = (error: RefreshError) => ({ kind: "failed" as const, error });
    if (!found) return { writes: {}, result: failed("unknown") };
    const { token: row, user, successor } = found;
    // Checked before anything is written: a token presented the wrong way is refused, not burnt.
    if (row.client !== client.kind) return { writes: {}, result: failed("wrong_client") };
    if (row.dpopJkt !== client.dpopJkt) return { writes: {}, result: failed("dpop_mismatch") };
    const now = clock.now();
    const ids = { userId: row.userId, familyId: row.familyId };
    if (row.revokedAt !== null) {
      // The holder of a token whose family was ended for reuse learns why.
      const error = row.revokedReason === "reuse_detected" ? "reuse_detected" : "revoked";
      return {
        writes: { now, event: ctx.event("refresh_failed", meta, ids, { reason: "revoked" }, now) },
        result: failed(error),
      };
    }
    if (!user || user.disabledAt !== null) {
      return { writes: { now, revokeFamily: { reason: "user_disabled" } }, result: failed("user_gone") };
    }
    if (now >= row.absoluteExpiresAt || now >= row.lastUsedAt + ctx.idleMs) {
      const reason = now >= row.absoluteExpiresAt ? "expired_absolute" : "expired_idle";
      return {
        writes: { now, revokeFamily: { reason }, event: ctx.event("refresh_failed", meta, ids, { reason }, now) },
        result: failed("expired"),
      };
    }
    if (row.usedAt !== null) {
      // Already rotated. Within the grace window this is a second tab racing the first: an access
      // token but no refresh token (the family does not fork). Recorded, so a thief's replay
      // inside the window is not silent.
      const usedAgoMs = now - row.usedAt;
      if (ctx.graceMs > 0 && usedAgoMs <= ctx.graceMs) {
        return {
          writes: {
            now,
            touchFamily: true,
            event: ctx.event("refresh_grace", meta, ids, { generation: row.generation, usedAgoMs }, now),
          },
          result: { kind: "grace", user, family: mintedFamily(row), familyCreatedAt: row.familyCreatedAt },
        };
      }
      // A lost answer (the server committed a rotation but the client never got the successor,
      // e.g. an instance died): the successor was never used, so replace it and carry on. A
      // superseded token, or one whose successor was used, means two holders: theft.
      // docs/decisions/lost-answer.md explains why this is safe.
      if (row.supersededAt === null && successor && successor.usedAt === null) {
        return {
          writes: {
            now,
            supersedeSuccessor: { id: successor.id },
            insertToken: successorOf(row, refreshToken, now),
            touchFamily: true,
            event: ctx.event("refresh_recovered", meta, ids, { generation: row.generation + 1, usedAgoMs }, now),
          },
          result: rotated(row, user, refreshToken, now),
        };
      }
      // Otherwise two parties hold the same token: one is a thief. End the whole family.
      return {
        writes: {
          now,
          revokeFamily: { reason: "reuse_detected" },
          event: ctx.event("refresh_reuse_detected", meta, ids, { generation: row.generation, usedAgoMs }, now),
        },
        result: { ...failed("reuse_detected"), alert: { ...ids, generation: row.generation, usedAgoMs } },
      };
    }
    return {
      writes: {
        now,
        markUsed: true,
        insertToken: successorOf(row, refreshToken, now),
        touchFamily: true,
        event: ctx.event("refresh", meta, ids, { generation: row.generation + 1 }, now),
      },
      result: rotated(row, user, refreshToken, now),
    };
  }

  /** How the family's access tokens are minted: amr and auth_time carry over, rotation never changes them. */
  function mintedFamily(row: PresentedToken): MintedFamily {
    return { id: row.familyId, dpopJkt: row.dpopJkt, amr: parseAmr(row.amr), authTime: row.authTime };
  }

  function successorOf(row: PresentedToken, refreshToken: string, now: number): NewRefreshToken {
    return {
      id: random.uuid(),
      familyId: row.familyId,
      parentId: row.id,
      generation: row.generation + 1,
      tokenHash: hashOpaqueToken(refreshToken),
      now,
      expiresAt: Math.min(now + ctx.idleMs, row.absoluteExpiresAt),
    };
  }

  function rotated(row: PresentedToken, user: UserRow, refreshToken: string, now: number): RefreshOutcome {
    return {
      kind: "rotated",
      user,
      family: mintedFamily(row),
      familyCreatedAt: row.familyCreatedAt,
      refreshToken,
      maxAge: ctx.refreshMaxAge(now, row.absoluteExpiresAt),
    };
  }

  /** Rotates a refresh token; signing the new access token happens after the store committed. */
  async function refresh(presented: string, meta: RequestMeta, client: Client = BROWSER): Promise<RefreshResult> {
    if (!isWellFormedOpaqueToken(presented)) return fail("malformed");
    const refreshToken = newOpaqueToken(random);
    const outcome = await store.rotate(hashOpaqueToken(presented), (found) =>
      decide(found, meta, refreshToken, client),
    );
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
