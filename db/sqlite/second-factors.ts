import { and, eq, getTableColumns, gt, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import { directGet } from "@/db/sqlite/prepared";
import { pendingSignIns, recoveryCodes, twoFactor } from "@/db/sqlite/schema";
import type { Engine } from "@/db/sqlite/store";
import type { Store, TwoFactorRow } from "@/lib/auth/store";

/** Two-step verification (TOTP), recovery codes, and sign-ins that still owe a second factor. */
export function secondFactorUnits({
  db,
  q,
  tx,
  insertEvent,
  insertMail,
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
  const enabled = (userId: string) => and(eq(twoFactor.userId, userId), isNotNull(twoFactor.enabledAt));
  // Every sign-in reads it (does this account owe a second step?): prepared once.
  const twoFactorOf = directGet(
    db.$client,
    db
      .select()
      .from(twoFactor)
      .where(eq(twoFactor.userId, sql.placeholder("userId"))),
    getTableColumns(twoFactor),
  );
  const storeCodes = (userId: string, codes: { id: string; codeHash: string }[], now: number) => {
    db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run();
    if (codes.length)
      db.insert(recoveryCodes)
        .values(codes.map((c) => ({ ...c, userId, createdAt: now })))
        .run();
  };
  return {
    twoFactorOf: async (userId) => twoFactorOf.get({ userId }) as TwoFactorRow | undefined,
    async beginTwoFactorSetup({ userId, secret, now }) {
      return tx(() => {
        if (db.select().from(twoFactor).where(enabled(userId)).get()) return false;
        db.insert(twoFactor)
          .values({ userId, secret, enabledAt: null, lastUsedStep: null, createdAt: now })
          .onConflictDoUpdate({ target: twoFactor.userId, set: { secret, lastUsedStep: null, createdAt: now } })
          .run();
        return true;
      });
    },
    async enableTwoFactor({ userId, step, now, codes, keepFamilyId, event }) {
      return tx(() => {
        // The gate: a setup still pending turns on once, with its first code's step used.
        const turnedOn = db
          .update(twoFactor)
          .set({ enabledAt: now, lastUsedStep: step })
          .where(and(eq(twoFactor.userId, userId), isNull(twoFactor.enabledAt)))
          .run().changes;
        if (turnedOn !== 1) return null;
        storeCodes(userId, codes, now);
        const reason = "two_factor_enabled";
        const sessionsEnded = keepFamilyId
          ? q.revokeOtherFamilies.run({ userId, keepId: keepFamilyId, now, reason }).changes
          : q.revokeUserFamilies.run({ userId, now, reason }).changes;
        insertEvent(event(sessionsEnded));
        return { sessionsEnded };
      });
    },
    async disableTwoFactor({ userId, event, mail }) {
      return tx(() => {
        if (db.delete(twoFactor).where(enabled(userId)).run().changes !== 1) return false;
        db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run();
        insertEvent(event);
        if (mail) insertMail(mail);
        return true;
      });
    },
    // One statement, so two requests with codes of the same step cannot both pass.
    useTotpStep: async ({ userId, step }) =>
      db
        .update(twoFactor)
        .set({ lastUsedStep: step })
        .where(and(enabled(userId), or(isNull(twoFactor.lastUsedStep), lt(twoFactor.lastUsedStep, step))))
        .run().changes === 1,
    async replaceRecoveryCodes({ userId, codes, now, event }) {
      return tx(() => {
        if (!db.select().from(twoFactor).where(enabled(userId)).get()) return false;
        storeCodes(userId, codes, now);
        insertEvent(event);
        return true;
      });
    },
    recoveryCodesOf: async (userId) =>
      db
        .select({ id: recoveryCodes.id, codeHash: recoveryCodes.codeHash, usedAt: recoveryCodes.usedAt })
        .from(recoveryCodes)
        .where(eq(recoveryCodes.userId, userId))
        .all(),
    async useRecoveryCode({ id, userId, now, mail }) {
      return tx(() => {
        const used = db
          .update(recoveryCodes)
          .set({ usedAt: now })
          .where(and(eq(recoveryCodes.id, id), eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)))
          .run().changes;
        if (used !== 1) return false;
        insertMail(mail);
        return true;
      });
    },
    async insertPendingSignIn(row) {
      db.insert(pendingSignIns).values(row).run();
    },
    pendingSignIn: async (tokenHash) =>
      db.select().from(pendingSignIns).where(eq(pendingSignIns.tokenHash, tokenHash)).get(),
    async countPendingAttempt(id) {
      const [row] = db
        .update(pendingSignIns)
        .set({ attempts: sql`${pendingSignIns.attempts} + 1` })
        .where(eq(pendingSignIns.id, id))
        .returning({ attempts: pendingSignIns.attempts })
        .all();
      return row?.attempts ?? Number.MAX_SAFE_INTEGER;
    },
    usePendingSignIn: async ({ id, now }) =>
      db
        .update(pendingSignIns)
        .set({ usedAt: now })
        .where(and(eq(pendingSignIns.id, id), isNull(pendingSignIns.usedAt), gt(pendingSignIns.expiresAt, now)))
        .run().changes === 1,
  };
}
