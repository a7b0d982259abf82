import { and, desc, eq, gt, inArray, isNull, lt, ne, sql } from "drizzle-orm";
import type pg from "pg";
import type { PgDb } from "@/db/postgres/client";
import { isUniqueViolation } from "@/db/postgres/errors";
import { prunePostgres } from "@/db/postgres/prune";
import { createEmailAndProofUnits } from "@/db/postgres/email-and-proofs";
import { createMailUnits, insertMail } from "@/db/postgres/mail";
import { createRotate, insertEvent, insertToken, presentedFields, touchFamily } from "@/db/postgres/rotation";
import { authEvents, refreshFamilies, refreshTokens, revokedJtis, users } from "@/db/postgres/schema";
import { guarded, transaction } from "@/db/postgres/transaction";
import type { DenyJti, Store } from "@/lib/auth/store";

/**
 * The storage contract on PostgreSQL (node-postgres through Drizzle). Reads run on the pool; every
 * unit that writes more than one row runs in one transaction (transaction.ts), taking row locks in
 * one order: the user, then the family, then its tokens, then deny-list rows. The rotation is in
 * rotation.ts, pruning in prune.ts.
 */
export function createPostgresStore(db: PgDb, pool: pg.Pool): Store {
  // Deny-list entries are useless once the token would have expired anyway: swept as we add.
  const denyJti = async (tx: PgDb, entry: DenyJti, now?: number) => {
    await tx.insert(revokedJtis).values(entry).onConflictDoNothing();
    if (now !== undefined) await tx.delete(revokedJtis).where(lt(revokedJtis.expiresAt, now));
  };
  const revoked = (now: number, reason: string) => ({ revokedAt: now, revokedReason: reason });
  // The full check runs on every authenticated request: a named statement, parsed and planned
  // once per connection by the server, built once here.
  const fullCheckStatement = db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      tokenVersion: users.tokenVersion,
      disabledAt: users.disabledAt,
      emailVerifiedAt: users.emailVerifiedAt,
      familyUserId: refreshFamilies.userId,
      familyRevokedAt: refreshFamilies.revokedAt,
      familyCreatedAt: refreshFamilies.createdAt,
      familyAbsoluteExpiresAt: refreshFamilies.absoluteExpiresAt,
      jtiRevoked: sql<boolean>`exists(select 1 from ${revokedJtis} where ${revokedJtis.jti} = ${sql.placeholder("jti")})`,
    })
    .from(users)
    .leftJoin(refreshFamilies, eq(refreshFamilies.id, sql.placeholder("sid")))
    .where(eq(users.id, sql.placeholder("sub")))
    .prepare("auth_full_check");

  const store: Store = {
    async userByEmail(email) {
      const [row] = await db.select().from(users).where(eq(users.email, email));
      return row;
    },
    async userById(id) {
      const [row] = await db.select().from(users).where(eq(users.id, id));
      return row;
    },
    async userCount() {
      const [row] = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(users);
      return row?.n ?? 0;
    },
    async insertUser(user) {
      try {
        await db.insert(users).values(user);
        return { ok: true };
      } catch (error) {
        if (isUniqueViolation(error, "users_email_unique")) return { ok: false, error: "email_taken" };
        throw error;
      }
    },
    async emailsOf(userIds) {
      if (userIds.length === 0) return new Map();
      const rows = await db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.id, userIds));
      return new Map(rows.map((r) => [r.id, r.email]));
    },

    async startFamily(family, token, event) {
      await transaction(pool, async (tx) => {
        const { now, ...rest } = family;
        await tx.insert(refreshFamilies).values({ ...rest, createdAt: now, lastUsedAt: now });
        await insertToken(tx, token);
        await insertEvent(tx, event);
      });
    },
    async presentedToken(tokenHash) {
      const [row] = await db
        .select(presentedFields)
        .from(refreshTokens)
        .innerJoin(refreshFamilies, eq(refreshFamilies.id, refreshTokens.familyId))
        .where(eq(refreshTokens.tokenHash, tokenHash));
      return row;
    },
    rotate: createRotate(pool),
    async familyById(id) {
      const [row] = await db.select().from(refreshFamilies).where(eq(refreshFamilies.id, id));
      return row;
    },
    activeFamilies: (userId, now, idleCutoff) =>
      db
        .select()
        .from(refreshFamilies)
        .where(
          and(
            eq(refreshFamilies.userId, userId),
            isNull(refreshFamilies.revokedAt),
            gt(refreshFamilies.absoluteExpiresAt, now),
            gt(refreshFamilies.lastUsedAt, idleCutoff),
          ),
        )
        .orderBy(desc(refreshFamilies.lastUsedAt)),
    async fullCheck(sub, sid, jti) {
      const [row] = await fullCheckStatement.execute({ sub, sid, jti });
      return row;
    },

    endFamily: ({ familyId, userId, now, reason, denyJti: deny, event }) =>
      transaction(pool, async (tx) => {
        // The UPDATE is the check: of two callers ending one family, one changes the row.
        const ended = await tx
          .update(refreshFamilies)
          .set(revoked(now, reason))
          .where(
            and(
              eq(refreshFamilies.id, familyId),
              eq(refreshFamilies.userId, userId),
              isNull(refreshFamilies.revokedAt),
            ),
          );
        // Deny-listed either way, after the family (the lock order: deny-list rows come last).
        if (deny) await denyJti(tx, deny, now);
        if (ended.rowCount !== 1) return false;
        await insertEvent(tx, event);
        return true;
      }),
    endUserFamilies: ({ userId, now, reason, bumpTokenVersion, keepFamilyId, denyJti: deny, event }) =>
      transaction(pool, async (tx) => {
        // The user's row first (the lock order), whether or not the version moves.
        const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("update");
        if (!user) return null;
        if (bumpTokenVersion) {
          await tx
            .update(users)
            .set({ tokenVersion: sql`${users.tokenVersion} + 1` })
            .where(eq(users.id, userId));
        }
        const live = and(eq(refreshFamilies.userId, userId), isNull(refreshFamilies.revokedAt));
        const ended = await tx
          .update(refreshFamilies)
          .set(revoked(now, reason))
          .where(keepFamilyId ? and(live, ne(refreshFamilies.id, keepFamilyId)) : live);
        if (deny) await denyJti(tx, deny, now);
        await insertEvent(tx, event(ended.rowCount ?? 0));
        return ended.rowCount ?? 0;
      }),
    changePassword: ({ userId, familyId, passwordHash, now, newToken, denyJti: deny, event, mail }) =>
      transaction(pool, async (tx) => {
        // Lock order: the user, then this family (a rotation in it waits, or has committed and its
        // successor is visible to the statements below), then the family's tokens.
        const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("update");
        const [family] = await tx.select().from(refreshFamilies).where(eq(refreshFamilies.id, familyId)).for("update");
        if (!user || !family || family.userId !== userId || family.revokedAt !== null) return null;
        await tx
          .update(users)
          .set({ passwordHash, tokenVersion: sql`${users.tokenVersion} + 1` })
          .where(eq(users.id, userId));
        const others = await tx
          .update(refreshFamilies)
          .set(revoked(now, "password_changed"))
          .where(
            and(
              eq(refreshFamilies.userId, userId),
              isNull(refreshFamilies.revokedAt),
              ne(refreshFamilies.id, familyId),
            ),
          );
        const sessionsEnded = others.rowCount ?? 0;
        const [live] = await tx
          .select({ id: refreshTokens.id, generation: refreshTokens.generation })
          .from(refreshTokens)
          .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.usedAt)))
          .orderBy(desc(refreshTokens.generation))
          .limit(1);
        await tx
          .update(refreshTokens)
          .set({ usedAt: now, supersededAt: now })
          .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.usedAt)));
        await insertToken(tx, {
          id: newToken.id,
          familyId,
          parentId: live?.id ?? null,
          generation: (live?.generation ?? 0) + 1,
          tokenHash: newToken.tokenHash,
          now,
          expiresAt: Math.min(newToken.idleExpiresAt, family.absoluteExpiresAt),
        });
        await touchFamily(tx, familyId, now);
        await denyJti(tx, deny, now);
        await insertEvent(tx, event(sessionsEnded));
        await insertMail(tx, mail);
        return { sessionsEnded, absoluteExpiresAt: family.absoluteExpiresAt, familyCreatedAt: family.createdAt };
      }),

    async denyJti(entry) {
      await denyJti(db, entry);
    },
    prune: (cutoffs) => prunePostgres(pool, cutoffs),
    ...createEmailAndProofUnits(db, pool),
    ...createMailUnits(db, pool),
    async insertEvent(event) {
      await insertEvent(db, event);
    },
    userEvents: (userId, limit) =>
      db.select().from(authEvents).where(eq(authEvents.userId, userId)).orderBy(desc(authEvents.id)).limit(limit),
    recentEvents: (limit) => db.select().from(authEvents).orderBy(desc(authEvents.id)).limit(limit),
  };
  return guarded(store);
}
