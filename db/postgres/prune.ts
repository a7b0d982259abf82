import { inArray, lt, or } from "drizzle-orm";
import type pg from "pg";
import { drizzleOn, LOCK_NAMESPACE, LOCKS, withSession } from "@/db/postgres/client";
import {
  authEvents,
  dpopProofs,
  emailTokens,
  mailQueue,
  pendingSignIns,
  authorizationCodes,
  refreshFamilies,
  revokedJtis,
  webauthnChallenges,
} from "@/db/postgres/schema";
import type { Engine } from "@/db/postgres/store";
import type { PruneCounts, PruneCutoffs, Store } from "@/lib/auth/store";

/**
 * Pruning, one instance at a time: a session advisory lock taken with pg_try_advisory_lock (an
 * instance that finds it held answers null and leaves the work to the holder). Each batch is one
 * DELETE … WHERE id IN (SELECT id … LIMIT n), its own short transaction, so a large backlog never
 * holds many row locks for long. A family's tokens go with it (ON DELETE CASCADE). If the session
 * fails midway its connection is destroyed, and the lock with it.
 */
function prune(pool: pg.Pool, cutoffs: PruneCutoffs): Promise<PruneCounts | null> {
  return withSession(pool, async (client) => {
    const lock = await client.query<{ locked: boolean }>("select pg_try_advisory_lock($1, $2) as locked", [
      LOCK_NAMESPACE,
      LOCKS.prune,
    ]);
    if (!lock.rows[0]?.locked) return null;
    const db = drizzleOn(client);
    const limit = cutoffs.batchSize;
    const drain = async (batch: () => Promise<{ rowCount: number | null }>) => {
      let total = 0;
      for (let n = (await batch()).rowCount ?? 0; n > 0; n = (await batch()).rowCount ?? 0) total += n;
      return total;
    };
    const counts = {
      families: await drain(() =>
        db.delete(refreshFamilies).where(
          inArray(
            refreshFamilies.id,
            db
              .select({ id: refreshFamilies.id })
              .from(refreshFamilies)
              .where(
                or(
                  lt(refreshFamilies.revokedAt, cutoffs.familiesDeadBefore),
                  lt(refreshFamilies.absoluteExpiresAt, cutoffs.familiesDeadBefore),
                  lt(refreshFamilies.lastUsedAt, cutoffs.familiesIdleBefore),
                ),
              )
              .limit(limit),
          ),
        ),
      ),
      jtis: await drain(() =>
        db
          .delete(revokedJtis)
          .where(
            inArray(
              revokedJtis.jti,
              db
                .select({ jti: revokedJtis.jti })
                .from(revokedJtis)
                .where(lt(revokedJtis.expiresAt, cutoffs.jtisExpiredBefore))
                .limit(limit),
            ),
          ),
      ),
      events: await drain(() =>
        db
          .delete(authEvents)
          .where(
            inArray(
              authEvents.id,
              db
                .select({ id: authEvents.id })
                .from(authEvents)
                .where(lt(authEvents.at, cutoffs.eventsBefore))
                .limit(limit),
            ),
          ),
      ),
      emailTokens: await drain(() =>
        db.delete(emailTokens).where(
          inArray(
            emailTokens.id,
            db
              .select({ id: emailTokens.id })
              .from(emailTokens)
              .where(
                or(
                  lt(emailTokens.expiresAt, cutoffs.emailTokensBefore),
                  lt(emailTokens.usedAt, cutoffs.emailTokensBefore),
                ),
              )
              .limit(limit),
          ),
        ),
      ),
      dpopProofs: await drain(() =>
        db
          .delete(dpopProofs)
          .where(
            inArray(
              dpopProofs.id,
              db
                .select({ id: dpopProofs.id })
                .from(dpopProofs)
                .where(lt(dpopProofs.expiresAt, cutoffs.dpopProofsBefore))
                .limit(limit),
            ),
          ),
      ),
      mail: await drain(() =>
        db.delete(mailQueue).where(
          inArray(
            mailQueue.id,
            db
              .select({ id: mailQueue.id })
              .from(mailQueue)
              .where(or(lt(mailQueue.sentAt, cutoffs.mailBefore), lt(mailQueue.failedAt, cutoffs.mailBefore)))
              .limit(limit),
          ),
        ),
      ),
      pending:
        (await drain(() =>
          db
            .delete(pendingSignIns)
            .where(
              inArray(
                pendingSignIns.id,
                db
                  .select({ id: pendingSignIns.id })
                  .from(pendingSignIns)
                  .where(lt(pendingSignIns.expiresAt, cutoffs.pendingBefore))
                  .limit(limit),
              ),
            ),
        )) +
        (await drain(() =>
          db
            .delete(webauthnChallenges)
            .where(
              inArray(
                webauthnChallenges.id,
                db
                  .select({ id: webauthnChallenges.id })
                  .from(webauthnChallenges)
                  .where(lt(webauthnChallenges.expiresAt, cutoffs.pendingBefore))
                  .limit(limit),
              ),
            ),
        )),
      authorizationCodes: await drain(() =>
        db
          .delete(authorizationCodes)
          .where(
            inArray(
              authorizationCodes.id,
              db
                .select({ id: authorizationCodes.id })
                .from(authorizationCodes)
                .where(lt(authorizationCodes.expiresAt, cutoffs.authorizationCodesBefore))
                .limit(limit),
            ),
          ),
      ),
    };
    await client.query("select pg_advisory_unlock($1, $2)", [LOCK_NAMESPACE, LOCKS.prune]);
    return counts;
  });
}

export function pruneUnits({ pool }: Engine): Pick<Store, "prune"> {
  return { prune: (cutoffs) => prune(pool, cutoffs) };
}
