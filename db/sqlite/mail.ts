import { and, asc, count, eq, gt, inArray, isNull, lte, or, sql } from "drizzle-orm";
import type { Db } from "@/db/sqlite/client";
import { mailQueue } from "@/db/sqlite/schema";
import type { Engine } from "@/db/sqlite/store";
import { MAIL_BUDGET_WINDOW_MS, type ClaimedMail, type NewMail, type Store } from "@/lib/auth/store";

/**
 * Queues a mail inside the caller's IMMEDIATE transaction, so the budget's count and the insert
 * are one step: two requests cannot both take the last slot.
 */
export function queueMail(db: Db, mail: NewMail): boolean {
  if (mail.budget !== null) {
    const [recent] = db
      .select({ n: count() })
      .from(mailQueue)
      .where(
        and(eq(mailQueue.recipientKey, mail.recipientKey), gt(mailQueue.createdAt, mail.now - MAIL_BUDGET_WINDOW_MS)),
      )
      .all();
    if ((recent?.n ?? 0) >= mail.budget) return false;
  }
  db.insert(mailQueue)
    .values({
      id: mail.id,
      kind: mail.kind,
      recipientKey: mail.recipientKey,
      payload: mail.payload,
      createdAt: mail.now,
      nextAttemptAt: mail.now,
    })
    .run();
  return true;
}

/** The mail queue: claims (each mail to one sender), sent, failed. */
export function mailUnits({
  db,
  tx,
  insertEvent,
  insertMail,
}: Engine): Pick<Store, "queueMail" | "claimMail" | "mailSent" | "mailFailed"> {
  return {
    async queueMail({ mail, event }) {
      return tx(() => {
        if (!insertMail(mail)) return false;
        if (event) insertEvent(event);
        return true;
      });
    },
    async claimMail({ now, leaseMs, limit }) {
      return tx(() => {
        const due = db
          .select({ id: mailQueue.id, kind: mailQueue.kind, payload: mailQueue.payload, attempts: mailQueue.attempts })
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
          .all();
        if (due.length === 0) return [];
        const claimedUntil = now + leaseMs;
        db.update(mailQueue)
          .set({ claimedUntil, attempts: sql`${mailQueue.attempts} + 1` })
          .where(
            inArray(
              mailQueue.id,
              due.map((m) => m.id),
            ),
          )
          .run();
        return due.flatMap(({ id, kind, payload, attempts }): ClaimedMail[] =>
          payload === null ? [] : [{ id, kind, payload, attempts: attempts + 1, claimedUntil }],
        );
      });
    },
    async mailSent({ id, now }) {
      db.update(mailQueue).set({ sentAt: now, payload: null, claimedUntil: null }).where(eq(mailQueue.id, id)).run();
    },
    async mailFailed({ id, now, retryAt, error }) {
      const update =
        retryAt === null
          ? { failedAt: now, payload: null, claimedUntil: null, lastError: error }
          : { nextAttemptAt: retryAt, claimedUntil: null, lastError: error };
      db.update(mailQueue).set(update).where(eq(mailQueue.id, id)).run();
    },
  };
}
