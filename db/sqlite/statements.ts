import { and, desc, eq, gt, inArray, isNull, lt, ne, or, sql } from "drizzle-orm";
import type { Db } from "@/db/sqlite/client";
import { directRun } from "@/db/sqlite/prepared";
import {
  authEvents,
  dpopProofs,
  emailTokens,
  refreshFamilies,
  refreshTokens,
  revokedJtis,
  users,
} from "@/db/sqlite/schema";

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
    markEmailVerified: db
      .update(users)
      .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${p("now")})` })
      .where(eq(users.id, p("id")))
      .prepare(),
    retireEmailTokens: db
      .update(emailTokens)
      .set({ usedAt: sql`${p("now")}` })
      .where(and(eq(emailTokens.userId, p("userId")), eq(emailTokens.kind, p("kind")), isNull(emailTokens.usedAt)))
      .prepare(),
    insertEmailToken: db
      .insert(emailTokens)
      .values({
        id: p("id"),
        userId: p("userId"),
        kind: p("kind"),
        tokenHash: p("tokenHash"),
        createdAt: p("now"),
        expiresAt: p("expiresAt"),
      })
      .prepare(),
    emailToken: db
      .select({
        userId: emailTokens.userId,
        kind: emailTokens.kind,
        expiresAt: emailTokens.expiresAt,
        usedAt: emailTokens.usedAt,
      })
      .from(emailTokens)
      .where(eq(emailTokens.tokenHash, p("tokenHash")))
      .prepare(),
    /** The single-use gate: one caller flips used_at, and only before expiry. */
    useEmailToken: db
      .update(emailTokens)
      .set({ usedAt: sql`${p("now")}` })
      .where(
        and(
          eq(emailTokens.tokenHash, p("tokenHash")),
          eq(emailTokens.kind, p("kind")),
          isNull(emailTokens.usedAt),
          gt(emailTokens.expiresAt, p("now")),
        ),
      )
      .returning({ userId: emailTokens.userId })
      .prepare(),
    pruneEmailTokens: db
      .delete(emailTokens)
      .where(
        inArray(
          emailTokens.id,
          db
            .select({ id: emailTokens.id })
            .from(emailTokens)
            .where(or(lt(emailTokens.expiresAt, p("before")), lt(emailTokens.usedAt, p("before"))))
            .limit(p("limit")),
        ),
      )
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
    rememberDpopProof: db
      .insert(dpopProofs)
      .values({ id: p("id"), expiresAt: p("expiresAt") })
      .onConflictDoNothing()
      .prepare(),
    pruneDpopProofs: db
      .delete(dpopProofs)
      .where(
        inArray(
          dpopProofs.id,
          db
            .select({ id: dpopProofs.id })
            .from(dpopProofs)
            .where(lt(dpopProofs.expiresAt, p("before")))
            .limit(p("limit")),
        ),
      )
      .prepare(),
    // On the rotation path: run on better-sqlite3 directly (db/sqlite/prepared.ts).
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
    deadFamilies: db
      .select({ id: refreshFamilies.id })
      .from(refreshFamilies)
      .where(
        or(
          lt(refreshFamilies.revokedAt, p("familiesDeadBefore")),
          lt(refreshFamilies.absoluteExpiresAt, p("familiesDeadBefore")),
          lt(refreshFamilies.lastUsedAt, p("familiesIdleBefore")),
        ),
      )
      .limit(p("limit"))
      .prepare(),
    pruneJtis: db
      .delete(revokedJtis)
      .where(
        inArray(
          revokedJtis.jti,
          db
            .select({ jti: revokedJtis.jti })
            .from(revokedJtis)
            .where(lt(revokedJtis.expiresAt, p("before")))
            .limit(p("limit")),
        ),
      )
      .prepare(),
    pruneEvents: db
      .delete(authEvents)
      .where(
        inArray(
          authEvents.id,
          db
            .select({ id: authEvents.id })
            .from(authEvents)
            .where(lt(authEvents.at, p("before")))
            .limit(p("limit")),
        ),
      )
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
