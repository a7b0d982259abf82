import { and, eq, gt, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "@/db/sqlite/client";
import {
  authEvents,
  dpopProofs,
  emailTokens,
  mailQueue,
  refreshFamilies,
  revokedJtis,
  users,
} from "@/db/sqlite/schema";

const p = sql.placeholder;

/** The SQLite store's statements for emailed links, DPoP proofs and pruning. */
export function createUpkeepStatements(db: Db) {
  return {
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
        registrationPasswordHash: p("registrationPasswordHash"),
        registrationName: p("registrationName"),
      })
      .prepare(),
    emailToken: db
      .select({
        userId: emailTokens.userId,
        kind: emailTokens.kind,
        expiresAt: emailTokens.expiresAt,
        usedAt: emailTokens.usedAt,
        registrationPasswordHash: emailTokens.registrationPasswordHash,
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
      .returning({
        userId: emailTokens.userId,
        registrationPasswordHash: emailTokens.registrationPasswordHash,
        registrationName: emailTokens.registrationName,
      })
      .prepare(),
    /** A registration's link used: its password and name become the account's. */
    setRegistration: db
      .update(users)
      .set({
        passwordHash: sql`${p("passwordHash")}`,
        name: sql`${p("name")}`,
        tokenVersion: sql`${users.tokenVersion} + 1`,
      })
      .where(eq(users.id, p("id")))
      .prepare(),
    pruneMail: db
      .delete(mailQueue)
      .where(
        inArray(
          mailQueue.id,
          db
            .select({ id: mailQueue.id })
            .from(mailQueue)
            .where(or(lt(mailQueue.sentAt, p("before")), lt(mailQueue.failedAt, p("before"))))
            .limit(p("limit")),
        ),
      )
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
  };
}
