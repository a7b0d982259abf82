import type { Config } from "@/lib/config";
import type { Clock, Random } from "@/lib/auth/clock";
import type { EventType, RequestMeta } from "@/lib/auth/events";
import type { KeySet } from "@/lib/auth/keys";
import { hashPassword, verifyAgainstDummy, verifyPassword } from "@/lib/auth/passwords";
import { hashRefreshToken, isWellFormedRefreshToken, newRefreshToken } from "@/lib/auth/refresh-token";
import type { Store, UserRow } from "@/db/sqlite/store";
import { signAccessToken, verifyAccessToken, type AccessClaims, type Role } from "@/lib/auth/access-token";

/**
 * The auth core: every lifecycle rule lives here, with time, randomness and storage injected.
 * Route handlers parse input, call one of these, and map the result to a response.
 */

export type PublicUser = { id: string; email: string; name: string | null; role: Role };

/** What a successful sign-in or rotation hands to the HTTP layer to put in cookies. */
export type IssuedAccess = { token: string; claims: AccessClaims };
export type IssuedRefresh = { token: string; maxAge: number };
export type SessionTokens = { user: PublicUser; access: IssuedAccess; refresh: IssuedRefresh };

export type AuthDeps = {
  store: Store;
  keys: KeySet;
  config: Pick<
    Config,
    "issuer" | "audience" | "accessTokenTtl" | "refreshTokenTtl" | "sessionMaxAge" | "refreshReuseGrace"
  >;
  clock: Clock;
  random: Random;
  /** Called for security-relevant events besides the audit table (e.g. the server log). */
  onSecurityEvent?: (type: EventType, detail: Record<string, unknown>) => void;
};

export type Failure<E extends string> = { ok: false; error: E };

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function toPublicUser(u: Pick<UserRow, "id" | "email" | "name" | "role">): PublicUser {
  return { id: u.id, email: u.email, name: u.name, role: u.role };
}

export type Auth = ReturnType<typeof createAuth>;

export function createAuth(deps: AuthDeps) {
  const { store, keys, config, clock, random } = deps;
  const tokenSettings = { issuer: config.issuer, audience: config.audience, accessTokenTtl: config.accessTokenTtl };
  const idleMs = config.refreshTokenTtl * 1000;
  const graceMs = config.refreshReuseGrace * 1000;

  function record(
    type: EventType,
    meta: RequestMeta | null,
    ids: { userId?: string | null; familyId?: string | null },
    detail: Record<string, unknown> = {},
  ) {
    store.insertEvent({
      type,
      at: clock.now(),
      userId: ids.userId ?? null,
      familyId: ids.familyId ?? null,
      ip: meta?.ip ?? null,
      userAgent: meta?.userAgent?.slice(0, 512) ?? null,
      detail: JSON.stringify(detail),
    });
    if (type === "refresh_reuse_detected" || type === "sessions_ended_by_admin") {
      deps.onSecurityEvent?.(type, { ...ids, ...detail });
    }
  }

  function mintAccess(user: Pick<UserRow, "id" | "role" | "tokenVersion">, familyId: string) {
    return signAccessToken(
      { userId: user.id, familyId, tokenVersion: user.tokenVersion, role: user.role },
      keys,
      tokenSettings,
      clock.now(),
      random.uuid(),
    );
  }

  /** The refresh cookie never outlives its family: min(idle lifetime, time to absolute expiry). */
  function refreshMaxAge(now: number, absoluteExpiresAt: number) {
    return Math.max(0, Math.min(config.refreshTokenTtl, Math.floor((absoluteExpiresAt - now) / 1000)));
  }

  /** A new family (session) with its first refresh token, and an access token for it. */
  async function startSession(user: UserRow, meta: RequestMeta, event: EventType): Promise<SessionTokens> {
    const now = clock.now();
    const familyId = random.uuid();
    const refreshToken = newRefreshToken(random);
    const absoluteExpiresAt = now + config.sessionMaxAge * 1000;
    store.transaction(() => {
      store.insertFamily({
        id: familyId,
        userId: user.id,
        now,
        absoluteExpiresAt,
        userAgent: meta.userAgent?.slice(0, 512) ?? null,
        ip: meta.ip,
      });
      store.insertToken({
        id: random.uuid(),
        familyId,
        parentId: null,
        generation: 0,
        tokenHash: hashRefreshToken(refreshToken),
        now,
        expiresAt: Math.min(now + idleMs, absoluteExpiresAt),
      });
      record(event, meta, { userId: user.id, familyId });
    });
    return {
      user: toPublicUser(user),
      access: await mintAccess(user, familyId),
      refresh: { token: refreshToken, maxAge: refreshMaxAge(now, absoluteExpiresAt) },
    };
  }

  async function register(
    input: { email: string; password: string; name?: string | null },
    meta: RequestMeta,
    role: Role = "user",
  ): Promise<SessionTokens | Failure<"email_taken">> {
    const email = normaliseEmail(input.email);
    if (store.userByEmail(email)) return { ok: false, error: "email_taken" };
    const passwordHash = await hashPassword(input.password);
    const user: UserRow = {
      id: random.uuid(),
      email,
      name: input.name?.trim() || null,
      passwordHash,
      role,
      tokenVersion: 0,
      disabledAt: null,
      createdAt: clock.now(),
    };
    try {
      store.insertUser(user);
    } catch (error) {
      // Two registrations raced past the check above: the unique index decides.
      if (String((error as { code?: string }).code).startsWith("SQLITE_CONSTRAINT")) return { ok: false, error: "email_taken" };
      throw error;
    }
    return startSession(user, meta, "register");
  }

  async function login(
    input: { email: string; password: string },
    meta: RequestMeta,
  ): Promise<SessionTokens | Failure<"invalid_credentials">> {
    const email = normaliseEmail(input.email);
    const user = store.userByEmail(email);
    // Unknown email: still pay for a hash verify, so timing does not reveal which accounts exist.
    const valid = user ? await verifyPassword(user.passwordHash, input.password) : await verifyAgainstDummy(input.password);
    if (!user || !valid || user.disabledAt !== null) {
      record("sign_in_failed", meta, { userId: user?.id ?? null }, { reason: user ? "wrong_password" : "unknown_email" });
      return { ok: false, error: "invalid_credentials" };
    }
    return startSession(user, meta, "sign_in");
  }

  type RefreshOutcome =
    | { kind: "rotated"; user: UserRow; familyId: string; refreshToken: string; maxAge: number }
    | { kind: "grace"; user: UserRow; familyId: string }
    | { kind: "failed"; reason: "malformed" | "unknown" | "revoked" | "expired" | "reuse_detected" | "user_gone" };

  /** One synchronous IMMEDIATE transaction decides the outcome; signing happens after commit. */
  function decideRefresh(presented: string, meta: RequestMeta): RefreshOutcome {
    if (!isWellFormedRefreshToken(presented)) return { kind: "failed", reason: "malformed" };
    const tokenHash = hashRefreshToken(presented);
    return store.transaction((): RefreshOutcome => {
      const now = clock.now();
      const row = store.tokenWithFamily(tokenHash);
      if (!row) return { kind: "failed", reason: "unknown" };
      const ids = { userId: row.userId, familyId: row.familyId };
      if (row.revokedAt !== null) {
        record("refresh_failed", meta, ids, { reason: "revoked" });
        return { kind: "failed", reason: "revoked" };
      }
      const user = store.userById(row.userId);
      if (!user || user.disabledAt !== null) {
        store.revokeFamily(row.familyId, now, "user_disabled");
        return { kind: "failed", reason: "user_gone" };
      }
      if (now >= row.absoluteExpiresAt) {
        store.revokeFamily(row.familyId, now, "expired_absolute");
        record("refresh_failed", meta, ids, { reason: "expired_absolute" });
        return { kind: "failed", reason: "expired" };
      }
      if (now >= row.lastUsedAt + idleMs) {
        store.revokeFamily(row.familyId, now, "expired_idle");
        record("refresh_failed", meta, ids, { reason: "expired_idle" });
        return { kind: "failed", reason: "expired" };
      }
      if (row.usedAt !== null) {
        // Already rotated. Within the grace window this is a second tab racing the first: give
        // it an access token but no refresh token (the family does not fork).
        if (graceMs > 0 && now - row.usedAt <= graceMs) {
          store.touchFamily(row.familyId, now);
          // Recorded: a thief's replay inside the window is not silent.
          record("refresh_grace", meta, ids, { generation: row.generation, usedAgoMs: now - row.usedAt });
          return { kind: "grace", user, familyId: row.familyId };
        }
        // Outside it, two parties hold the same token: one is a thief. End the whole family.
        store.revokeFamily(row.familyId, now, "reuse_detected");
        record("refresh_reuse_detected", meta, ids, { generation: row.generation, usedAgoMs: now - row.usedAt });
        return { kind: "failed", reason: "reuse_detected" };
      }
      if (!store.markTokenUsed(row.id, now)) {
        // Unreachable inside an IMMEDIATE transaction, but if the gate is ever lost, fail closed.
        return { kind: "failed", reason: "reuse_detected" };
      }
      const refreshToken = newRefreshToken(random);
      store.insertToken({
        id: random.uuid(),
        familyId: row.familyId,
        parentId: row.id,
        generation: row.generation + 1,
        tokenHash: hashRefreshToken(refreshToken),
        now,
        expiresAt: Math.min(now + idleMs, row.absoluteExpiresAt),
      });
      store.touchFamily(row.familyId, now);
      record("refresh", meta, ids, { generation: row.generation + 1 });
      return {
        kind: "rotated",
        user,
        familyId: row.familyId,
        refreshToken,
        maxAge: refreshMaxAge(now, row.absoluteExpiresAt),
      };
    });
  }

  async function refresh(
    presented: string,
    meta: RequestMeta,
  ): Promise<
    | { ok: true; user: PublicUser; access: IssuedAccess; refresh: IssuedRefresh | null }
    | Failure<Extract<RefreshOutcome, { kind: "failed" }>["reason"]>
  > {
    const outcome = decideRefresh(presented, meta);
    if (outcome.kind === "failed") return { ok: false, error: outcome.reason };
    const access = await mintAccess(outcome.user, outcome.familyId);
    return {
      ok: true,
      user: toPublicUser(outcome.user),
      access,
      refresh: outcome.kind === "rotated" ? { token: outcome.refreshToken, maxAge: outcome.maxAge } : null,
    };
  }

  function denyAccessToken(claims: Pick<AccessClaims, "jti" | "exp">) {
    const now = clock.now();
    store.denyJti(claims.jti, claims.exp * 1000);
    store.sweepJtis(now);
  }

  /**
   * The full check, used by every route handler and server component that needs a user:
   * signature and claims, then (one query) user exists and is enabled, token version current,
   * family belongs to the user and is live, jti not deny-listed.
   */
  async function authenticate(
    accessToken: string,
  ): Promise<{ ok: true; user: PublicUser; claims: AccessClaims; sessionStartedAt: number } | Failure<string>> {
    const verified = await verifyAccessToken(accessToken, keys, tokenSettings, clock.now());
    if (!verified.ok) return { ok: false, error: verified.reason };
    const { claims } = verified;
    const state = store.accessState(claims.sub, claims.sid, claims.jti);
    if (!state || state.disabledAt !== null) return { ok: false, error: "user_gone" };
    if (state.tokenVersion !== claims.ver) return { ok: false, error: "token_version" };
    if (state.jtiRevoked) return { ok: false, error: "token_revoked" };
    if (
      state.familyUserId !== claims.sub ||
      state.familyRevokedAt !== null ||
      state.familyAbsoluteExpiresAt === null ||
      state.familyAbsoluteExpiresAt <= clock.now()
    ) {
      return { ok: false, error: "session_revoked" };
    }
    return {
      ok: true,
      user: { id: state.id, email: state.email, name: state.name, role: state.role },
      claims,
      sessionStartedAt: state.familyCreatedAt ?? 0,
    };
  }

  /** Ends this session: revokes the family (found by the refresh token, else the access token's
   * sid) and deny-lists the access token's jti until its exp. Idempotent. */
  async function logout(tokens: { access?: string; refresh?: string }, meta: RequestMeta) {
    const now = clock.now();
    const verified = tokens.access ? await verifyAccessToken(tokens.access, keys, tokenSettings, now) : undefined;
    const claims = verified?.ok ? verified.claims : undefined;
    let familyId = claims?.sid;
    let userId = claims?.sub;
    if (tokens.refresh && isWellFormedRefreshToken(tokens.refresh)) {
      const row = store.tokenWithFamily(hashRefreshToken(tokens.refresh));
      if (row) {
        familyId = row.familyId;
        userId = row.userId;
      }
    }
    store.transaction(() => {
      if (claims) denyAccessToken(claims);
      if (familyId) {
        const family = store.familyById(familyId);
        if (family && family.userId === userId && store.revokeFamily(familyId, now, "logout")) {
          record("sign_out", meta, { userId, familyId });
        }
      }
    });
  }

  /** Ends every session of the user, including this one. */
  function logoutEverywhere(claims: AccessClaims, meta: RequestMeta) {
    const now = clock.now();
    store.transaction(() => {
      store.bumpTokenVersion(claims.sub);
      const ended = store.revokeUserFamilies(claims.sub, now, "logout_all");
      denyAccessToken(claims);
      record("sign_out_everywhere", meta, { userId: claims.sub, familyId: claims.sid }, { sessionsEnded: ended });
    });
  }

  /**
   * Changes the password. Every other session ends; this one stays with a re-issued access token
   * and a new refresh token: the old one is retired as if rotated, so a stolen copy presented
   * later is refused (past the grace window, as reuse).
   */
  async function changePassword(
    claims: AccessClaims,
    input: { currentPassword: string; newPassword: string },
    meta: RequestMeta,
  ): Promise<
    | { ok: true; user: PublicUser; access: IssuedAccess; refresh: IssuedRefresh; sessionsEnded: number }
    | Failure<"wrong_password" | "same_password" | "user_gone">
  > {
    const user = store.userById(claims.sub);
    if (!user) return { ok: false, error: "user_gone" };
    if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
      record("password_change_failed", meta, { userId: user.id, familyId: claims.sid });
      return { ok: false, error: "wrong_password" };
    }
    if (input.newPassword === input.currentPassword) return { ok: false, error: "same_password" };
    const passwordHash = await hashPassword(input.newPassword);
    const now = clock.now();
    const refreshToken = newRefreshToken(random);
    const changed = store.transaction(() => {
      const family = store.familyById(claims.sid);
      if (!family || family.userId !== user.id || family.revokedAt !== null) return null;
      store.setPasswordAndBumpVersion(user.id, passwordHash);
      const ended = store.revokeOtherFamilies(user.id, claims.sid, now, "password_changed");
      const live = store.liveToken(claims.sid);
      store.retireLiveTokens(claims.sid, now);
      store.insertToken({
        id: random.uuid(),
        familyId: claims.sid,
        parentId: live?.id ?? null,
        generation: (live?.generation ?? 0) + 1,
        tokenHash: hashRefreshToken(refreshToken),
        now,
        expiresAt: Math.min(now + idleMs, family.absoluteExpiresAt),
      });
      store.touchFamily(claims.sid, now);
      denyAccessToken(claims);
      record("password_changed", meta, { userId: user.id, familyId: claims.sid }, { sessionsEnded: ended });
      return { sessionsEnded: ended, absoluteExpiresAt: family.absoluteExpiresAt };
    });
    if (!changed) return { ok: false, error: "user_gone" };
    const updated = store.userById(user.id)!;
    return {
      ok: true,
      user: toPublicUser(updated),
      access: await mintAccess(updated, claims.sid),
      refresh: { token: refreshToken, maxAge: refreshMaxAge(now, changed.absoluteExpiresAt) },
      sessionsEnded: changed.sessionsEnded,
    };
  }

  function listSessions(userId: string) {
    const now = clock.now();
    return store.activeFamilies(userId, now, now - idleMs);
  }

  /** Ends one of the user's own sessions. Someone else's (or an unknown) id is "not_found". */
  function endSession(userId: string, familyId: string, meta: RequestMeta): { ok: true } | Failure<"not_found"> {
    const now = clock.now();
    return store.transaction(() => {
      const family = store.familyById(familyId);
      if (!family || family.userId !== userId || family.revokedAt !== null) return { ok: false as const, error: "not_found" as const };
      store.revokeFamily(familyId, now, "session_ended");
      record("session_ended", meta, { userId, familyId });
      return { ok: true as const };
    });
  }

  /** Admin: end every session of a user (and invalidate their access tokens). */
  function endAllSessionsOf(targetUserId: string, adminId: string, meta: RequestMeta): { ok: true; ended: number } | Failure<"not_found"> {
    const now = clock.now();
    return store.transaction(() => {
      if (!store.userById(targetUserId)) return { ok: false as const, error: "not_found" as const };
      store.bumpTokenVersion(targetUserId);
      const ended = store.revokeUserFamilies(targetUserId, now, "admin");
      record("sessions_ended_by_admin", meta, { userId: targetUserId }, { by: adminId, sessionsEnded: ended });
      return { ok: true as const, ended };
    });
  }

  return {
    register,
    login,
    refresh,
    authenticate,
    logout,
    logoutEverywhere,
    changePassword,
    listSessions,
    endSession,
    endAllSessionsOf,
    record,
    /** Verification without the database: the proxy's optimistic check. */
    verifyOnly: (token: string) => verifyAccessToken(token, keys, tokenSettings, clock.now()),
    userEvents: (userId: string, limit = 50) => store.userEvents(userId, limit),
    recentEvents: (limit = 100) => store.recentEvents(limit),
  };
}
