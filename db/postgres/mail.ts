import { and, asc, count, eq, gt, inArray, isNull, lte, or, sql } from "drizzle-orm";
import { MAIL_LOCK_NAMESPACE, type PgDb } from "@/db/postgres/client";
import { insertEvent } from "@/db/postgres/events";
import { mailQueue } from "@/db/postgres/schema";
import type { Engine } from "@/db/postgres/store";
import { transaction } from "@/db/postgres/transaction";
import { MAIL_BUDGET_WINDOW_MS, type ClaimedMail, type NewMail, type Store } from "@/lib/auth/store";

/**
 * Queues a mail inside the caller's transaction. The budget's count and the insert must be one
 * step across instances: a transaction-scoped advisory lock on the recipient serialises the
 * mails to one address (READ COMMITTED alone would let two requests both see the last free slot).
 */
export async function insertMail(tx: PgDb, mail: NewMail): Promise<boolean> {
  if (mail.budget !== null) {
    await tx.execute(sql`select pg_advisory_xact_lock(${MAIL_LOCK_NAMESPACE}, hashtext(${mail.recipientKey}))`);
    const [recent] = await tx
      .select({ n: count() })
      .from(mailQueue)
      .where(
        and(eq(mailQueue.recipientKey, mail.recipientKey), gt(mailQueue.createdAt, mail.now - MAIL_BUDGET_WINDOW_MS)),
      );
    if ((recent?.n ?? 0) >= mail.budget) return false;
  }
  await tx.insert(mailQueue).values({
    id: mail.id,
    kind: mail.kind,
    recipientKey: mail.recipientKey,
    payload: mail.payload,
    createdAt: mail.now,
    nextAttemptAt: mail.now,
  });
  return true;
}

/**
 * The mail queue: claims (each mail to one sender), sent, failed. A claim is one UPDATE over rows
 * picked with FOR UPDATE SKIP LOCKED: two instances claiming at once each get different mails,
 * neither waits for the other.
 */
export function mailUnits({ db, pool }: Engine): Pick<Store, "queueMail" | "claimMail" | "mailSent" | "mailFailed"> {
  return {
    queueMail: ({ mail, event }) =>
      transaction(pool, async (tx) => {
        if (!(await insertMail(tx, mail))) return false;
        if (event) await insertEvent(tx, event);
        return true;
      }),
    async claimMail({ now, leaseMs, limit }) {
      const claimedUntil = now + leaseMs;
      const due = db
        .select({ id: mailQueue.id })
        .from(mailQueue)
        .where(
          and(
            isNull(mailQueue.sentAt),
            isNull(mailQueue.failedAt),
            lte(mailQueue.nextAttemptAt, now),
            or(isNull(mailQueue.claimedUntil), lte(mailQueue.claimedUntil, now)),
          ),
        )
        .orderBy(asc(mailQueue.nextAttemptAt))
        .limit(limit)
        .for("update", { skipLocked: true });
      const rows = await db
        .update(mailQueue)
        .set({ claimedUntil, attempts: sql`${mailQueue.attempts} + 1` })
        .where(inArray(mailQueue.id, due))
        .returning({
          id: mailQueue.id,
          kind: mailQueue.kind,
          payload: mailQueue.payload,
          attempts: mailQueue.attempts,
          due: mailQueue.nextAttemptAt,
        });
      // RETURNING has no order: oldest first, as queued.
      rows.sort((a, b) => a.due - b.due);
      return rows.flatMap(({ id, kind, payload, attempts }): ClaimedMail[] =>
        payload === null ? [] : [{ id, kind, payload, attempts, claimedUntil }],
      );
    },
    async mailSent({ id, now }) {
      await db.update(mailQueue).set({ sentAt: now, payload: null, claimedUntil: null }).where(eq(mailQueue.id, id));
    },
    async mailFailed({ id, now, retryAt, error }) {
      const update =
        retryAt === null
          ? { failedAt: now, payload: null, claimedUntil: null, lastError: error }
          : { nextAttemptAt: retryAt, claimedUntil: null, lastError: error };
      await db.update(mailQueue).set(update).where(eq(mailQueue.id, id));
    },
  };
}
