import { and, desc, eq, gt, isNull, lt, ne, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { authEvents, refreshFamilies, refreshTokens, revokedJtis, users } from "@/db/schema";

/**
 * Every SQL statement the auth core runs, prepared once per database (no per-call SQL building
 * on the hot paths). Synchronous: better-sqlite3 is, and a synchronous transaction is what makes
 * "exactly one rotation wins" easy to see.
 */
export type Store = ReturnType<typeof createStore>;
export type UserRow = typeof users.$inferSelect;
export type FamilyRow = typeof refreshFamilies.$inferSelect;
export type EventRow = typeof authEvents.$inferSelect;

const p = sql.placeholder;

export function createStore(db: Db) {
  const q = {
    userByEmail: db.select().from(users).where(eq(users.email, p("email"))).prepare(),
    userById: db.select().from(users).where(eq(users.id, p("id"))).prepare(),
    userCount: db.select({ n: sql<number>`count(*)` }).from(users).prepare(),
    insertUser: db
      .insert(users)
      .values({
        id: p("id"),
        email: p("email"),
        name: p("name"),
        passwordHash: p("passwordHash"),
        role: p("role"),
        createdAt: p("createdAt"),
      })
      .prepare(),
    setPassword: db
      .update(users)
      .set({ passwordHash: sql`${p("passwordHash")}`, tokenVersion: sql`${users.tokenVersion} + 1` })
      .where(eq(users.id, p("id")))
      .prepare(),
    bumpTokenVersion: db
      .update(users)
      .set({ tokenVersion: sql`${users.tokenVersion} + 1` })
      .where(eq(users.id, p("id")))
      .prepare(),
    insertFamily: db
      .insert(refreshFamilies)
      .values({
        id: p("id"),
        userId: p("userId"),
        createdAt: p("now"),
        lastUsedAt: p("now"),
        absoluteExpiresAt: p("absoluteExpiresAt"),
        userAgent: p("userAgent"),
        ip: p("ip"),
      })
      .prepare(),
    insertToken: db
      .insert(refreshTokens)
      .values({
        id: p("id"),
        familyId: p("familyId"),
        parentId: p("parentId"),
        generation: p("generation"),
        tokenHash: p("tokenHash"),
        createdAt: p("now"),
        expiresAt: p("expiresAt"),
      })
      .prepare(),
    tokenWithFamily: db
      .select({
        id: refreshTokens.id,
        familyId: refreshTokens.familyId,
        generation: refreshTokens.generation,
        usedAt: refreshTokens.usedAt,
        userId: refreshFamilies.userId,
        familyCreatedAt: refreshFamilies.createdAt,
        lastUsedAt: refreshFamilies.lastUsedAt,
        absoluteExpiresAt: refreshFamilies.absoluteExpiresAt,
        revokedAt: refreshFamilies.revokedAt,
      })
      .from(refreshTokens)
      .innerJoin(refreshFamilies, eq(refreshFamilies.id, refreshTokens.familyId))
      .where(eq(refreshTokens.tokenHash, p("tokenHash")))
      .prepare(),
    /** The gate: only one caller can flip used_at from NULL. */
    markTokenUsed: db
      .update(refreshTokens)
      .set({ usedAt: sql`${p("now")}` })
      .where(and(eq(refreshTokens.id, p("id")), isNull(refreshTokens.usedAt)))
      .prepare(),
    touchFamily: db
      .update(refreshFamilies)
      .set({ lastUsedAt: sql`${p("now")}` })
      .where(eq(refreshFamilies.id, p("id")))
      .prepare(),
    revokeFamily: db
      .update(refreshFamilies)
      .set({ revokedAt: sql`${p("now")}`, revokedReason: sql`${p("reason")}` })
      .where(and(eq(refreshFamilies.id, p("id")), isNull(refreshFamilies.revokedAt)))
      .prepare(),
    revokeUserFamilies: db
      .update(refreshFamilies)
      .set({ revokedAt: sql`${p("now")}`, revokedReason: sql`${p("reason")}` })
      .where(and(eq(refreshFamilies.userId, p("userId")), isNull(refreshFamilies.revokedAt)))
      .prepare(),
    revokeOtherFamilies: db
      .update(refreshFamilies)
      .set({ revokedAt: sql`${p("now")}`, revokedReason: sql`${p("reason")}` })
      .where(
        and(
          eq(refreshFamilies.userId, p("userId")),
          isNull(refreshFamilies.revokedAt),
          ne(refreshFamilies.id, p("keepId")),
        ),
      )
      .prepare(),
    familyById: db.select().from(refreshFamilies).where(eq(refreshFamilies.id, p("id"))).prepare(),
    activeFamilies: db
      .select()
      .from(refreshFamilies)
      .where(
        and(
          eq(refreshFamilies.userId, p("userId")),
          isNull(refreshFamilies.revokedAt),
          gt(refreshFamilies.absoluteExpiresAt, p("now")),
          gt(refreshFamilies.lastUsedAt, p("idleCutoff")),
        ),
      )
      .orderBy(desc(refreshFamilies.lastUsedAt))
      .prepare(),
    denyJti: db
      .insert(revokedJtis)
      .values({ jti: p("jti"), expiresAt: p("expiresAt") })
      .onConflictDoNothing()
      .prepare(),
    sweepJtis: db.delete(revokedJtis).where(lt(revokedJtis.expiresAt, p("now"))).prepare(),
    /** The full check in one round trip: user, token version, family state, jti deny-list. */
    accessState: db
      .select({
        id: users.id,
        email: users.email,
        name: users.name,
        role: users.role,
        tokenVersion: users.tokenVersion,
        disabledAt: users.disabledAt,
        familyUserId: refreshFamilies.userId,
        familyRevokedAt: refreshFamilies.revokedAt,
        familyCreatedAt: refreshFamilies.createdAt,
        familyAbsoluteExpiresAt: refreshFamilies.absoluteExpiresAt,
        jtiRevoked: sql<number>`exists(select 1 from ${revokedJtis} where ${revokedJtis.jti} = ${p("jti")})`,
      })
      .from(users)
      .leftJoin(refreshFamilies, eq(refreshFamilies.id, p("sid")))
      .where(eq(users.id, p("sub")))
      .prepare(),
    insertEvent: db
      .insert(authEvents)
      .values({
        type: p("type"),
        at: p("at"),
        userId: p("userId"),
        familyId: p("familyId"),
        ip: p("ip"),
        userAgent: p("userAgent"),
        detail: p("detail"),
      })
      .prepare(),
    userEvents: db
      .select()
      .from(authEvents)
      .where(eq(authEvents.userId, p("userId")))
      .orderBy(desc(authEvents.id))
      .limit(p("limit"))
      .prepare(),
    recentEvents: db.select().from(authEvents).orderBy(desc(authEvents.id)).limit(p("limit")).prepare(),
  };

  // One transaction wrapper for the life of the store: better-sqlite3's transaction() builds four
  // wrapper functions and redefines their properties on every call (~8 µs, a tenth of a refresh
  // rotation). The wrapper checks inTransaction per call, so nesting still uses a savepoint.
  const immediate = db.$client.transaction((fn: () => unknown) => fn()).immediate;

  return {
    db,
    /** Runs fn in one IMMEDIATE transaction: the write lock is taken up front, so concurrent
     * processes serialise instead of failing at commit. */
    transaction<T>(fn: () => T): T {
      return immediate(fn) as T;
    },
    userByEmail: (email: string) => q.userByEmail.get({ email }),
    userById: (id: string) => q.userById.get({ id }),
    userCount: () => q.userCount.get()?.n ?? 0,
    insertUser: (u: { id: string; email: string; name: string | null; passwordHash: string; role: string; createdAt: number }) =>
      q.insertUser.run(u),
    setPasswordAndBumpVersion: (id: string, passwordHash: string) => q.setPassword.run({ id, passwordHash }),
    bumpTokenVersion: (id: string) => q.bumpTokenVersion.run({ id }),
    insertFamily: (f: { id: string; userId: string; now: number; absoluteExpiresAt: number; userAgent: string | null; ip: string | null }) =>
      q.insertFamily.run(f),
    insertToken: (t: { id: string; familyId: string; parentId: string | null; generation: number; tokenHash: string; now: number; expiresAt: number }) =>
      q.insertToken.run(t),
    tokenWithFamily: (tokenHash: string) => q.tokenWithFamily.get({ tokenHash }),
    markTokenUsed: (id: string, now: number) => q.markTokenUsed.run({ id, now }).changes === 1,
    touchFamily: (id: string, now: number) => q.touchFamily.run({ id, now }),
    revokeFamily: (id: string, now: number, reason: string) => q.revokeFamily.run({ id, now, reason }).changes === 1,
    revokeUserFamilies: (userId: string, now: number, reason: string) => q.revokeUserFamilies.run({ userId, now, reason }).changes,
    revokeOtherFamilies: (userId: string, keepId: string, now: number, reason: string) =>
      q.revokeOtherFamilies.run({ userId, keepId, now, reason }).changes,
    familyById: (id: string) => q.familyById.get({ id }),
    activeFamilies: (userId: string, now: number, idleCutoff: number) => q.activeFamilies.all({ userId, now, idleCutoff }),
    denyJti: (jti: string, expiresAt: number) => q.denyJti.run({ jti, expiresAt }),
    sweepJtis: (now: number) => q.sweepJtis.run({ now }).changes,
    accessState: (sub: string, sid: string, jti: string) => q.accessState.get({ sub, sid, jti }),
    insertEvent: (e: { type: string; at: number; userId: string | null; familyId: string | null; ip: string | null; userAgent: string | null; detail: string }) =>
      q.insertEvent.run(e),
    userEvents: (userId: string, limit: number) => q.userEvents.all({ userId, limit }),
    recentEvents: (limit: number) => q.recentEvents.all({ limit }),
  };
}
