import { and, desc, eq, gt, isNull, lt, ne, sql } from "drizzle-orm";
import type { Db } from "@/db/sqlite/client";
import { directRun } from "@/db/sqlite/prepared";
import { authEvents, refreshFamilies, refreshTokens, revokedJtis, users } from "@/db/sqlite/schema";

const p = sql.placeholder;
const revokedNow = { revokedAt: sql`${p("now")}`, revokedReason: sql`${p("reason")}` };

/** Every Drizzle statement the SQLite store runs, prepared once per database. */
export function createStatements(db: Db) {
  return {
    userByEmail: db
      .select()
      .from(users)
      .where(eq(users.email, p("email")))
      .prepare(),
    userCount: db
      .select({ n: sql<number>`count(*)` })
      .from(users)
      .prepare(),
    insertUser: db
      .insert(users)
      .values({
        id: p("id"),
        email: p("email"),
        name: p("name"),
        passwordHash: p("passwordHash"),
        role: p("role"),
        emailVerifiedAt: p("emailVerifiedAt"),
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
        client: p("client"),
        dpopJkt: p("dpopJkt"),
      })
      .prepare(),
    insertToken: directRun(
      db.$client,
      db.insert(refreshTokens).values({
        id: p("id"),
        familyId: p("familyId"),
        parentId: p("parentId"),
        generation: p("generation"),
        tokenHash: p("tokenHash"),
        createdAt: p("now"),
        expiresAt: p("expiresAt"),
      }),
    ),
    /** What a rotation issued for a token (the one not superseded). */
    successor: db
      .select({ id: refreshTokens.id, usedAt: refreshTokens.usedAt })
      .from(refreshTokens)
      .where(and(eq(refreshTokens.parentId, p("parentId")), isNull(refreshTokens.supersededAt)))
      .limit(1)
      .prepare(),
    /** The gate of a lost-answer recovery: only a still-unused successor is superseded. */
    supersede: db
      .update(refreshTokens)
      .set({ usedAt: sql`${p("now")}`, supersededAt: sql`${p("now")}` })
      .where(and(eq(refreshTokens.id, p("id")), isNull(refreshTokens.usedAt)))
      .prepare(),
    setUsedAt: db
      .update(refreshTokens)
      .set({ usedAt: sql`${p("now")}` })
      .where(eq(refreshTokens.id, p("id")))
      .prepare(),
    /** The family's current (unrotated) token: what a password change rotates. */
    liveToken: db
      .select({ id: refreshTokens.id, generation: refreshTokens.generation })
      .from(refreshTokens)
      .where(and(eq(refreshTokens.familyId, p("familyId")), isNull(refreshTokens.usedAt)))
      .orderBy(desc(refreshTokens.generation))
      .limit(1)
      .prepare(),
    retireLiveTokens: db
      .update(refreshTokens)
      .set({ usedAt: sql`${p("now")}`, supersededAt: sql`${p("now")}` })
      .where(and(eq(refreshTokens.familyId, p("familyId")), isNull(refreshTokens.usedAt)))
      .prepare(),
    revokeFamily: db
      .update(refreshFamilies)
      .set(revokedNow)
      .where(and(eq(refreshFamilies.id, p("id")), isNull(refreshFamilies.revokedAt)))
      .prepare(),
    revokeUserFamilies: db
      .update(refreshFamilies)
      .set(revokedNow)
      .where(and(eq(refreshFamilies.userId, p("userId")), isNull(refreshFamilies.revokedAt)))
      .prepare(),
    revokeOtherFamilies: db
      .update(refreshFamilies)
      .set(revokedNow)
      .where(
        and(
          eq(refreshFamilies.userId, p("userId")),
          isNull(refreshFamilies.revokedAt),
          ne(refreshFamilies.id, p("keepId")),
        ),
      )
      .prepare(),
    familyById: db
      .select()
      .from(refreshFamilies)
      .where(eq(refreshFamilies.id, p("id")))
      .prepare(),
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
    sweepJtis: db
      .delete(revokedJtis)
      .where(lt(revokedJtis.expiresAt, p("now")))
      .prepare(),
    insertEvent: directRun(
      db.$client,
      db.insert(authEvents).values({
        type: p("type"),
        at: p("at"),
        userId: p("userId"),
        familyId: p("familyId"),
        ip: p("ip"),
        userAgent: p("userAgent"),
        detail: p("detail"),
      }),
    ),
    userEvents: db
      .select()
      .from(authEvents)
      .where(eq(authEvents.userId, p("userId")))
      .orderBy(desc(authEvents.id))
      .limit(p("limit"))
      .prepare(),
    recentEvents: db.select().from(authEvents).orderBy(desc(authEvents.id)).limit(p("limit")).prepare(),
  };
}
