import { and, eq, getTableColumns, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/sqlite/client";
import { directGet, directRun } from "@/db/sqlite/prepared";
import { refreshFamilies, refreshTokens, revokedJtis, users } from "@/db/sqlite/schema";
import { createStatements } from "@/db/sqlite/statements";
import { createUpkeepStatements } from "@/db/sqlite/statements-upkeep";
import { createUpkeepUnits } from "@/db/sqlite/upkeep";
import { createMailUnits } from "@/db/sqlite/mail";
import type { FamilyRow, FullCheckRow, PresentedToken, Store, UserRow } from "@/lib/auth/store";

/**
 * The storage contract on SQLite (better-sqlite3). Every unit runs synchronously inside one
 * IMMEDIATE transaction: the write lock is taken up front, so concurrent processes serialise
 * instead of failing at commit, and "exactly one rotation wins" is plain to see. The methods are
 * async only to fit the contract; nothing awaits inside a transaction.
 */
export function createSqliteStore(db: Db): Store {
  const sqlite = db.$client;
  const q = { ...createStatements(db), ...createUpkeepStatements(db) };
  const presentedFields = {
    id: refreshTokens.id,
    familyId: refreshTokens.familyId,
    generation: refreshTokens.generation,
    usedAt: refreshTokens.usedAt,
    supersededAt: refreshTokens.supersededAt,
    userId: refreshFamilies.userId,
    familyCreatedAt: refreshFamilies.createdAt,
    lastUsedAt: refreshFamilies.lastUsedAt,
    absoluteExpiresAt: refreshFamilies.absoluteExpiresAt,
    revokedAt: refreshFamilies.revokedAt,
    revokedReason: refreshFamilies.revokedReason,
    client: refreshFamilies.client,
    dpopJkt: refreshFamilies.dpopJkt,
  };
  const presented = directGet(
    sqlite,
    db
      .select(presentedFields)
      .from(refreshTokens)
      .innerJoin(refreshFamilies, eq(refreshFamilies.id, refreshTokens.familyId))
      .where(eq(refreshTokens.tokenHash, sql.placeholder("tokenHash"))),
    presentedFields,
  );
  const userById = directGet(
    sqlite,
    db
      .select()
      .from(users)
      .where(eq(users.id, sql.placeholder("id"))),
    getTableColumns(users),
  );
  const fullCheckFields = {
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
    jtiRevoked: sql<number>`exists(select 1 from ${revokedJtis} where ${revokedJtis.jti} = ${sql.placeholder("jti")})`,
  };
  const fullCheck = directGet(
    sqlite,
    db
      .select(fullCheckFields)
      .from(users)
      .leftJoin(refreshFamilies, eq(refreshFamilies.id, sql.placeholder("sid")))
      .where(eq(users.id, sql.placeholder("sub"))),
    fullCheckFields,
  );
  const markUsed = directRun(
    sqlite,
    db
      .update(refreshTokens)
      .set({ usedAt: sql`${sql.placeholder("now")}` })
      .where(and(eq(refreshTokens.id, sql.placeholder("id")), isNull(refreshTokens.usedAt))),
  );
  const touchFamily = directRun(
    sqlite,
    db
      .update(refreshFamilies)
      .set({ lastUsedAt: sql`${sql.placeholder("now")}` })
      .where(eq(refreshFamilies.id, sql.placeholder("id"))),
  );

  // One transaction wrapper for the life of the store: better-sqlite3's transaction() builds four
  // wrapper functions per call (~8 µs, a tenth of a rotation). Nesting still uses a savepoint.
  const immediate = sqlite.transaction((fn: () => unknown) => fn()).immediate;
  const tx = <T>(fn: () => T): T => immediate(fn) as T;

  const insertEvent = (e: Parameters<Store["insertEvent"]>[0]) => q.insertEvent.run(e);
  const { insertMail, ...mailUnits } = createMailUnits({ db, tx, insertEvent });
  // Deny-list entries are useless once the token would have expired anyway: swept as we add.
  const denyJti = (entry: { jti: string; expiresAt: number }, now?: number) => {
    q.denyJti.run(entry);
    if (now !== undefined) q.sweepJtis.run({ now });
  };

  return {
    userByEmail: async (email) => q.userByEmail.get({ email }) as UserRow | undefined,
    userById: async (id) => userById.get({ id }) as UserRow | undefined,
    userCount: async () => q.userCount.get()?.n ?? 0,
    async insertUser(user) {
      try {
        q.insertUser.run({ ...user, emailVerifiedAt: user.emailVerifiedAt ?? null });
        return { ok: true };
      } catch (error) {
        const { code, message } = error as { code?: string; message?: string };
        if (code === "SQLITE_CONSTRAINT_UNIQUE" && message?.includes("users.email"))
          return { ok: false, error: "email_taken" };
        throw error;
      }
    },
    async emailsOf(userIds) {
      if (userIds.length === 0) return new Map();
      const rows = db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.id, userIds)).all();
      return new Map(rows.map((r) => [r.id, r.email]));
    },

    async startFamily(family, token, event) {
      tx(() => {
        q.insertFamily.run(family);
        q.insertToken.run(token);
        insertEvent(event);
      });
    },
    presentedToken: async (tokenHash) => presented.get({ tokenHash }) as PresentedToken | undefined,
    async rotate(tokenHash, decide) {
      return tx(() => {
        const token = presented.get({ tokenHash }) as PresentedToken | undefined;
        const user = token ? (userById.get({ id: token.userId }) as UserRow | undefined) : undefined;
        const successor = token && token.usedAt !== null ? q.successor.get({ parentId: token.id }) : undefined;
        const { writes, result } = decide(token && { token, user, successor });
        if (!token) return result;
        const now = writes.now ?? 0;
        // The gates cannot be lost inside an IMMEDIATE transaction; if they ever were, fail closed.
        if (writes.markUsed && markUsed.run({ id: token.id, now }).changes !== 1) throw new Error("rotation gate lost");
        if (writes.supersedeSuccessor) {
          if (q.supersede.run({ id: writes.supersedeSuccessor.id, now }).changes !== 1)
            throw new Error("rotation gate lost");
          q.setUsedAt.run({ id: token.id, now });
        }
        if (writes.insertToken) q.insertToken.run(writes.insertToken);
        if (writes.touchFamily) touchFamily.run({ id: token.familyId, now });
        if (writes.revokeFamily) q.revokeFamily.run({ id: token.familyId, now, reason: writes.revokeFamily.reason });
        if (writes.event) insertEvent(writes.event);
        return result;
      });
    },
    familyById: async (id) => q.familyById.get({ id }) as FamilyRow | undefined,
    activeFamilies: async (userId, now, idleCutoff) => q.activeFamilies.all({ userId, now, idleCutoff }) as FamilyRow[],
    async fullCheck(sub, sid, jti) {
      const row = fullCheck.get({ sub, sid, jti });
      return row ? ({ ...row, jtiRevoked: row.jtiRevoked === 1 } as FullCheckRow) : undefined;
    },

    async endFamily({ familyId, userId, now, reason, denyJti: deny, event }) {
      return tx(() => {
        if (deny) denyJti(deny, now);
        const family = q.familyById.get({ id: familyId });
        if (!family || family.userId !== userId || family.revokedAt !== null) return false;
        q.revokeFamily.run({ id: familyId, now, reason });
        insertEvent(event);
        return true;
      });
    },
    async endUserFamilies({ userId, now, reason, bumpTokenVersion, keepFamilyId, denyJti: deny, event }) {
      return tx(() => {
        if (!userById.get({ id: userId })) return null;
        if (bumpTokenVersion) q.bumpTokenVersion.run({ id: userId });
        const ended = keepFamilyId
          ? q.revokeOtherFamilies.run({ userId, keepId: keepFamilyId, now, reason }).changes
          : q.revokeUserFamilies.run({ userId, now, reason }).changes;
        if (deny) denyJti(deny, now);
        insertEvent(event(ended));
        return ended;
      });
    },
    async changePassword({ userId, familyId, passwordHash, now, newToken, denyJti: deny, event, mail }) {
      return tx(() => {
        const family = q.familyById.get({ id: familyId });
        if (!family || family.userId !== userId || family.revokedAt !== null) return null;
        q.setPassword.run({ id: userId, passwordHash });
        const sessionsEnded = q.revokeOtherFamilies.run({
          userId,
          keepId: familyId,
          now,
          reason: "password_changed",
        }).changes;
        const live = q.liveToken.get({ familyId });
        q.retireLiveTokens.run({ familyId, now });
        q.insertToken.run({
          id: newToken.id,
          familyId,
          parentId: live?.id ?? null,
          generation: (live?.generation ?? 0) + 1,
          tokenHash: newToken.tokenHash,
          now,
          expiresAt: Math.min(newToken.idleExpiresAt, family.absoluteExpiresAt),
        });
        touchFamily.run({ id: familyId, now });
        denyJti(deny, now);
        insertEvent(event(sessionsEnded));
        insertMail(mail);
        return { sessionsEnded, absoluteExpiresAt: family.absoluteExpiresAt, familyCreatedAt: family.createdAt };
      });
    },

    async denyJti(entry) {
      denyJti(entry);
    },
    ...createUpkeepUnits({ db, q, tx, insertEvent, insertMail }),
    ...mailUnits,
    async insertEvent(event) {
      insertEvent(event);
    },
    userEvents: async (userId, limit) => q.userEvents.all({ userId, limit }),
    recentEvents: async (limit) => q.recentEvents.all({ limit }),
  };
}
