import { and, eq, getTableColumns, gt, isNotNull, isNull, lt, ne, or, sql } from "drizzle-orm";
import type { PgDb } from "@/db/postgres/client";
import { insertEvent } from "@/db/postgres/events";
import { insertMail } from "@/db/postgres/mail";
import { pendingSignIns, recoveryCodes, refreshFamilies, twoFactor } from "@/db/postgres/schema";
import type { Engine } from "@/db/postgres/store";
import { transaction } from "@/db/postgres/transaction";
import { directRows } from "@/db/postgres/prepared";
import type { NewRecoveryCode, Store, TwoFactorRow } from "@/lib/auth/store";

const enabled = (userId: string) => and(eq(twoFactor.userId, userId), isNotNull(twoFactor.enabledAt));

async function storeCodes(tx: PgDb, userId: string, codes: NewRecoveryCode[], now: number) {
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  if (codes.length) await tx.insert(recoveryCodes).values(codes.map((c) => ({ ...c, userId, createdAt: now })));
}

/**
 * Two-step verification (TOTP), recovery codes, and sign-ins that still owe a second factor.
 * Every gate is one UPDATE … WHERE on the row itself, re-checked by PostgreSQL after a concurrent
 * writer: of two codes for the same step, one passes; of two uses of a recovery code, one.
 */
export function secondFactorUnits({
  db,
  pool,
}: Engine): Pick<
  Store,
  | "twoFactorOf"
  | "beginTwoFactorSetup"
  | "enableTwoFactor"
  | "disableTwoFactor"
  | "useTotpStep"
  | "replaceRecoveryCodes"
  | "recoveryCodesOf"
  | "useRecoveryCode"
  | "insertPendingSignIn"
  | "pendingSignIn"
  | "countPendingAttempt"
  | "usePendingSignIn"
> {
  // Every sign-in reads it (does this account owe a second step?): a named statement.
  const twoFactorOf = directRows<TwoFactorRow>(
    "auth_two_factor_of",
    db
      .select()
      .from(twoFactor)
      .where(eq(twoFactor.userId, sql.placeholder("userId"))),
    getTableColumns(twoFactor),
  );
  return {
    async twoFactorOf(userId) {
      const [row] = await twoFactorOf.rows(db, { userId });
      return row;
    },
    async beginTwoFactorSetup({ userId, secret, now }) {
      // Only a setup that is not on yet is (re)written: the WHERE of the upsert is the check.
      const written = await db
        .insert(twoFactor)
        .values({ userId, secret, enabledAt: null, lastUsedStep: null, createdAt: now })
        .onConflictDoUpdate({
          target: twoFactor.userId,
          set: { secret, lastUsedStep: null, createdAt: now },
          setWhere: isNull(twoFactor.enabledAt),
        });
      return written.rowCount === 1;
    },
    enableTwoFactor: ({ userId, step, now, codes, keepFamilyId, event }) =>
      transaction(pool, async (tx) => {
        const turnedOn = await tx
          .update(twoFactor)
          .set({ enabledAt: now, lastUsedStep: step })
          .where(and(eq(twoFactor.userId, userId), isNull(twoFactor.enabledAt)));
        if (turnedOn.rowCount !== 1) return null;
        await storeCodes(tx, userId, codes, now);
        const live = and(eq(refreshFamilies.userId, userId), isNull(refreshFamilies.revokedAt));
        const ended = await tx
          .update(refreshFamilies)
          .set({ revokedAt: now, revokedReason: "two_factor_enabled" })
          .where(keepFamilyId ? and(live, ne(refreshFamilies.id, keepFamilyId)) : live);
        const sessionsEnded = ended.rowCount ?? 0;
        await insertEvent(tx, event(sessionsEnded));
        return { sessionsEnded };
      }),
    disableTwoFactor: ({ userId, event, mail }) =>
      transaction(pool, async (tx) => {
        const deleted = await tx.delete(twoFactor).where(enabled(userId));
        if (deleted.rowCount !== 1) return false;
        await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
        await insertEvent(tx, event);
        if (mail) await insertMail(tx, mail);
        return true;
      }),
    async useTotpStep({ userId, step }) {
      const used = await db
        .update(twoFactor)
        .set({ lastUsedStep: step })
        .where(and(enabled(userId), or(isNull(twoFactor.lastUsedStep), lt(twoFactor.lastUsedStep, step))));
      return used.rowCount === 1;
    },
    replaceRecoveryCodes: ({ userId, codes, now, event }) =>
      transaction(pool, async (tx) => {
        // The two-step row first, locked: a concurrent turn-off waits or has happened.
        const [on] = await tx.select({ userId: twoFactor.userId }).from(twoFactor).where(enabled(userId)).for("update");
        if (!on) return false;
        await storeCodes(tx, userId, codes, now);
        await insertEvent(tx, event);
        return true;
      }),
    recoveryCodesOf: (userId) =>
      db
        .select({ id: recoveryCodes.id, codeHash: recoveryCodes.codeHash, usedAt: recoveryCodes.usedAt })
        .from(recoveryCodes)
        .where(eq(recoveryCodes.userId, userId)),
    useRecoveryCode: ({ id, userId, now, mail }) =>
      transaction(pool, async (tx) => {
        const used = await tx
          .update(recoveryCodes)
          .set({ usedAt: now })
          .where(and(eq(recoveryCodes.id, id), eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
        if (used.rowCount !== 1) return false;
        await insertMail(tx, mail);
        return true;
      }),
    async insertPendingSignIn(row) {
      await db.insert(pendingSignIns).values(row);
    },
    async pendingSignIn(tokenHash) {
      const [row] = await db.select().from(pendingSignIns).where(eq(pendingSignIns.tokenHash, tokenHash));
      return row;
    },
    async countPendingAttempt(id) {
      const [row] = await db
        .update(pendingSignIns)
        .set({ attempts: sql`${pendingSignIns.attempts} + 1` })
        .where(eq(pendingSignIns.id, id))
        .returning({ attempts: pendingSignIns.attempts });
      return row?.attempts ?? Number.MAX_SAFE_INTEGER;
    },
    async usePendingSignIn({ id, now }) {
      const used = await db
        .update(pendingSignIns)
        .set({ usedAt: now })
        .where(and(eq(pendingSignIns.id, id), isNull(pendingSignIns.usedAt), gt(pendingSignIns.expiresAt, now)));
      return used.rowCount === 1;
    },
  };
}
