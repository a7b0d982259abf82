import { and, desc, eq, getTableColumns, gt, isNull, lt, ne, sql } from "drizzle-orm";
import type { Db } from "@/db/sqlite/client";
import { directGet, directRun } from "@/db/sqlite/prepared";
import { refreshFamilies, refreshTokens, revokedJtis, users } from "@/db/sqlite/schema";
import type { Engine } from "@/db/sqlite/store";
import type { FamilyRow, FullCheckRow, Store, UserRow } from "@/lib/auth/store";

const p = sql.placeholder;
const revokedNow = { revokedAt: sql`${p("now")}`, revokedReason: sql`${p("reason")}` };

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
    /** A rotation's read: the family by id (its live and previous token are in its row). */
    familyForRotation: directGet(
      sqlite,
      db
        .select()
        .from(refreshFamilies)
        .where(eq(refreshFamilies.id, p("id"))),
      getTableColumns(refreshFamilies),
    ),
    /** Legacy tokens (issued before families kept their own): the family and generation a hash names. */
    legacyToken: db
      .select({ familyId: refreshTokens.familyId, generation: refreshTokens.generation })
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, p("tokenHash")))
      .prepare(),
    fullCheck: directGet(
      sqlite,
      db
        .select(fullCheckFields)
        .from(users)
        .leftJoin(refreshFamilies, eq(refreshFamilies.id, p("sid")))
        .where(eq(users.id, p("sub"))),
      fullCheckFields,
    ),
    /**
     * The gate: the family's live token becomes `tokenHash` only if it is still `fromHash` (of two
     * callers presenting the same token, one changes a row). The time is the family's last use.
     */
    advance: directRun(
      sqlite,
      db
        .update(refreshFamilies)
        .set({
          generation: sql`${p("generation")}`,
          tokenHash: sql`${p("tokenHash")}`,
          previousGeneration: sql`${p("previousGeneration")}`,
          previousTokenHash: sql`${p("previousTokenHash")}`,
          previousUsedAt: sql`${p("previousUsedAt")}`,
          previousSuperseded: sql`${p("previousSuperseded")}`,
          lastUsedAt: sql`${p("now")}`,
        })
        .where(and(eq(refreshFamilies.id, p("id")), eq(refreshFamilies.tokenHash, p("fromHash")))),
    ),
    touchFamily: directRun(
      sqlite,
      db
        .update(refreshFamilies)
        .set({ lastUsedAt: sql`${p("now")}` })
        .where(eq(refreshFamilies.id, p("id"))),
    ),
    // On every sign-in: run on better-sqlite3 directly.
    insertFamily: directRun(
      sqlite,
      db.insert(refreshFamilies).values({
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
        nativeClientId: p("nativeClientId"),
        generation: p("generation"),
        tokenHash: p("tokenHash"),
      }),
    ),
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
  | "legacyToken"
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
    async startFamily(family, event) {
      tx(() => {
        q.insertFamily.run(family);
        insertEvent(event);
      });
    },
    legacyToken: async (tokenHash) => q.legacyToken.get({ tokenHash }),
    async rotate(familyId, decide) {
      return tx(() => {
        const family = q.familyForRotation.get({ id: familyId }) as FamilyRow | undefined;
        const user = family ? (q.userById.get({ id: family.userId }) as UserRow | undefined) : undefined;
        const { writes, result } = decide(family && { family, user });
        if (!family) return result;
        const now = writes.now ?? 0;
        if (writes.advance) {
          const { fromHash, to } = writes.advance;
          const changed = q.advance.run({
            id: familyId,
            fromHash,
            now,
            ...to,
            previousSuperseded: to.previousSuperseded ? 1 : 0,
          }).changes;
          // The gate cannot be lost inside an IMMEDIATE transaction; if it ever were, fail closed.
          if (changed !== 1) throw new Error("rotation gate lost");
        }
        if (writes.touchFamily) q.touchFamily.run({ id: familyId, now });
        if (writes.revokeFamily) q.revokeFamily.run({ id: familyId, now, reason: writes.revokeFamily.reason });
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
