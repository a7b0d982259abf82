import { inArray, lt, or, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "@/db/sqlite/client";
import {
  authEvents,
  dpopProofs,
  emailTokens,
  mailQueue,
  pendingSignIns,
  authorizationCodes,
  refreshFamilies,
  refreshTokens,
  revokedJtis,
  webauthnChallenges,
} from "@/db/sqlite/schema";
import type { Engine } from "@/db/sqlite/store";
import type { Store } from "@/lib/auth/store";

const p = sql.placeholder;

/** DELETE … WHERE key IN (SELECT key … WHERE cutoff LIMIT n): one batch of one table. */
function batchDelete(db: Db, table: SQLiteTable, key: SQLiteColumn, where: SQL | undefined) {
  return db
    .delete(table)
    .where(inArray(key, db.select({ key }).from(table).where(where).limit(p("limit"))))
    .prepare();
}

/** Pruning: what is dead, in small batches. */
export function pruneStatements(db: Db) {
  return {
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
    pruneJtis: batchDelete(db, revokedJtis, revokedJtis.jti, lt(revokedJtis.expiresAt, p("before"))),
    pruneEvents: batchDelete(db, authEvents, authEvents.id, lt(authEvents.at, p("before"))),
    pruneEmailTokens: batchDelete(
      db,
      emailTokens,
      emailTokens.id,
      or(lt(emailTokens.expiresAt, p("before")), lt(emailTokens.usedAt, p("before"))),
    ),
    pruneDpopProofs: batchDelete(db, dpopProofs, dpopProofs.id, lt(dpopProofs.expiresAt, p("before"))),
    pruneMail: batchDelete(
      db,
      mailQueue,
      mailQueue.id,
      or(lt(mailQueue.sentAt, p("before")), lt(mailQueue.failedAt, p("before"))),
    ),
    prunePending: batchDelete(db, pendingSignIns, pendingSignIns.id, lt(pendingSignIns.expiresAt, p("before"))),
    pruneAuthorizationCodes: batchDelete(
      db,
      authorizationCodes,
      authorizationCodes.id,
      lt(authorizationCodes.expiresAt, p("before")),
    ),
    pruneChallenges: batchDelete(
      db,
      webauthnChallenges,
      webauthnChallenges.id,
      lt(webauthnChallenges.expiresAt, p("before")),
    ),
  };
}

export function pruneUnits({ db, q, tx }: Engine): Pick<Store, "prune"> {
  return {
    async prune(cutoffs) {
      // Batches in short transactions, so a large backlog never holds the write lock for long.
      const drain = (run: () => number) => {
        let total = 0;
        for (let n = run(); n > 0; n = run()) total += n;
        return total;
      };
      const { batchSize: limit } = cutoffs;
      return {
        // Tokens first (no cascade needed), then the families.
        families: drain(() =>
          tx(() => {
            const ids = (q.deadFamilies.all({ ...cutoffs, limit }) as { id: string }[]).map((f) => f.id);
            if (ids.length === 0) return 0;
            db.delete(refreshTokens).where(inArray(refreshTokens.familyId, ids)).run();
            return db.delete(refreshFamilies).where(inArray(refreshFamilies.id, ids)).run().changes;
          }),
        ),
        jtis: drain(() => q.pruneJtis.run({ before: cutoffs.jtisExpiredBefore, limit }).changes),
        events: drain(() => q.pruneEvents.run({ before: cutoffs.eventsBefore, limit }).changes),
        emailTokens: drain(() => q.pruneEmailTokens.run({ before: cutoffs.emailTokensBefore, limit }).changes),
        dpopProofs: drain(() => q.pruneDpopProofs.run({ before: cutoffs.dpopProofsBefore, limit }).changes),
        mail: drain(() => q.pruneMail.run({ before: cutoffs.mailBefore, limit }).changes),
        pending:
          drain(() => q.prunePending.run({ before: cutoffs.pendingBefore, limit }).changes) +
          drain(() => q.pruneChallenges.run({ before: cutoffs.pendingBefore, limit }).changes),
        authorizationCodes: drain(
          () => q.pruneAuthorizationCodes.run({ before: cutoffs.authorizationCodesBefore, limit }).changes,
        ),
      };
    },
  };
}
