import { and, desc, eq, getTableColumns, gt, isNull, lt, ne, sql } from "drizzle-orm";
import type { Db } from "@/db/sqlite/client";
import { directGet, directRun } from "@/db/sqlite/prepared";
import { refreshFamilies, refreshTokens, revokedJtis, users } from "@/db/sqlite/schema";
import type { Engine } from "@/db/sqlite/store";
import type { FamilyRow, FullCheckRow, PresentedToken, Store, UserRow } from "@/lib/auth/store";

const p = sql.placeholder;
const revokedNow = { revokedAt: sql`${p("now")}`, revokedReason: sql`${p("reason")}` };

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
  amr: refreshFamilies.amr,
  authTime: refreshFamilies.authTime,
};

/** Every column of the user but the password hash: what the full check reads (new columns too). */
const { passwordHash, ...accountColumns } = getTableColumns(users);

const fullCheckFields = {
  ...accountColumns,
  familyUserId: refreshFamilies.userId,
  familyRevokedAt: refreshFamilies.revokedAt,
  familyCreatedAt: refreshFamilies.createdAt,
  familyAbsoluteExpiresAt: refreshFamilies.absoluteExpiresAt,
  jtiRevoked: sql<number>`exists(select 1 from ${revokedJtis} where ${revokedJtis.jti} = ${p("jti")})`,
};

/**
 * Sessions: refresh families and their tokens, the full check, ending sessions, the deny-list.
 * The hot paths' statements (a rotation, the full check) run on better-sqlite3 directly
 * (db/sqlite/prepared.ts).
 */
export function sessionStatements(db: Db) {
  const sqlite = db.$client;
  return {
    presented: directGet(
      sqlite,
      db
        .select(presentedFields)
        .from(refreshTokens)
        .innerJoin(refreshFamilies, eq(refreshFamilies.id, refreshTokens.familyId))
        .where(eq(refreshTokens.tokenHash, p("tokenHash"))),
      presentedFields,
    ),
    fullCheck: directGet(
      sqlite,
      db
        .select(fullCheckFields)
        .from(users)
        .leftJoin(refreshFamilies, eq(refreshFamilies.id, p("sid")))
        .where(eq(users.id, p("sub"))),
      fullCheckFields,
    ),
    markUsed: directRun(
      sqlite,
      db
        .update(refreshTokens)
        .set({ usedAt: sql`${p("now")}` })
        .where(and(eq(refreshTokens.id, p("id")), isNull(refreshTokens.usedAt))),
    ),
    touchFamily: directRun(
      sqlite,
      db
        .update(refreshFamilies)
        .set({ lastUsedAt: sql`${p("now")}` })
        .where(eq(refreshFamilies.id, p("id"))),
    ),
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
        amr: p("amr"),
        authTime: p("authTime"),
        provider: p("provider"),
      })
      .prepare(),
    /** Step-up: a fresh authentication in a live family. */
    reauthenticate: db
      .update(refreshFamilies)
      .set({ authTime: sql`${p("now")}`, amr: sql`${p("amr")}` })
      .where(
        and(
          eq(refreshFamilies.id, p("id")),
          eq(refreshFamilies.userId, p("userId")),
          isNull(refreshFamilies.revokedAt),
          gt(refreshFamilies.absoluteExpiresAt, p("now")),
        ),
      )
      .returning()
      .prepare(),
    insertToken: directRun(
      sqlite,
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
  };
}

export function sessionUnits({
  q,
  tx,
  insertEvent,
  denyJti,
}: Engine): Pick<
  Store,
  | "startFamily"
  | "presentedToken"
  | "rotate"
  | "familyById"
  | "activeFamilies"
  | "fullCheck"
  | "endFamily"
  | "endUserFamilies"
  | "denyJti"
  | "reauthenticate"
> {
  return {
    async startFamily(family, token, event) {
      tx(() => {
        q.insertFamily.run(family);
        q.insertToken.run(token);
        insertEvent(event);
      });
    },
    presentedToken: async (tokenHash) => q.presented.get({ tokenHash }) as PresentedToken | undefined,
    async rotate(tokenHash, decide) {
      return tx(() => {
        const token = q.presented.get({ tokenHash }) as PresentedToken | undefined;
        const user = token ? (q.userById.get({ id: token.userId }) as UserRow | undefined) : undefined;
        const successor = token && token.usedAt !== null ? q.successor.get({ parentId: token.id }) : undefined;
        const { writes, result } = decide(token && { token, user, successor });
        if (!token) return result;
        const now = writes.now ?? 0;
        // The gates cannot be lost inside an IMMEDIATE transaction; if they ever were, fail closed.
        if (writes.markUsed && q.markUsed.run({ id: token.id, now }).changes !== 1)
          throw new Error("rotation gate lost");
        if (writes.supersedeSuccessor) {
          if (q.supersede.run({ id: writes.supersedeSuccessor.id, now }).changes !== 1)
            throw new Error("rotation gate lost");
          q.setUsedAt.run({ id: token.id, now });
        }
        if (writes.insertToken) q.insertToken.run(writes.insertToken);
        if (writes.touchFamily) q.touchFamily.run({ id: token.familyId, now });
        if (writes.revokeFamily) q.revokeFamily.run({ id: token.familyId, now, reason: writes.revokeFamily.reason });
        if (writes.event) insertEvent(writes.event);
        return result;
      });
    },
    familyById: async (id) => q.familyById.get({ id }) as FamilyRow | undefined,
    activeFamilies: async (userId, now, idleCutoff) => q.activeFamilies.all({ userId, now, idleCutoff }) as FamilyRow[],
    async fullCheck(sub, sid, jti) {
      const row = q.fullCheck.get({ sub, sid, jti });
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
        if (!q.userById.get({ id: userId })) return null;
        if (bumpTokenVersion) q.bumpTokenVersion.run({ id: userId });
        const ended = keepFamilyId
          ? q.revokeOtherFamilies.run({ userId, keepId: keepFamilyId, now, reason }).changes
          : q.revokeUserFamilies.run({ userId, now, reason }).changes;
        if (deny) denyJti(deny, now);
        insertEvent(event(ended));
        return ended;
      });
    },
    async denyJti(entry) {
      denyJti(entry);
    },
    async reauthenticate({ familyId, userId, now, amr, event }) {
      return tx(() => {
        const family = q.reauthenticate.get({ id: familyId, userId, now, amr });
        if (!family) return null;
        insertEvent(event);
        return family as FamilyRow;
      });
    },
  };
}
