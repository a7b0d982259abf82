import { and, asc, eq } from "drizzle-orm";
import { isUniqueViolation } from "@/db/postgres/errors";
import { insertEvent } from "@/db/postgres/events";
import { insertMail } from "@/db/postgres/mail";
import { accounts, users } from "@/db/postgres/schema";
import type { Engine } from "@/db/postgres/store";
import { transaction } from "@/db/postgres/transaction";
import type { Store } from "@/lib/auth/store";

/** Identities at providers linked to users (the primary key (provider, subject) decides). */
export function accountUnits({
  db,
  pool,
}: Engine): Pick<
  Store,
  "accountByProvider" | "accountsOf" | "linkAccount" | "createUserWithAccount" | "touchAccount" | "unlinkAccount"
> {
  return {
    async accountByProvider(provider, subject) {
      const [row] = await db
        .select()
        .from(accounts)
        .where(and(eq(accounts.provider, provider), eq(accounts.subject, subject)));
      return row;
    },
    accountsOf: (userId) =>
      db.select().from(accounts).where(eq(accounts.userId, userId)).orderBy(asc(accounts.createdAt)),
    linkAccount: ({ account, event, mail }) =>
      transaction(pool, async (tx) => {
        const inserted = await tx.insert(accounts).values(account).onConflictDoNothing();
        if (inserted.rowCount !== 1) return false;
        await insertEvent(tx, event);
        await insertMail(tx, mail);
        return true;
      }),
    async createUserWithAccount({ user, account, event }) {
      try {
        return await transaction(pool, async (tx) => {
          // Both constraints decide: the users' unique email, the accounts' primary key. Either
          // violation rolls the whole unit back.
          await tx.insert(users).values(user);
          await tx.insert(accounts).values(account);
          await insertEvent(tx, event);
          return { ok: true as const };
        });
      } catch (error) {
        if (isUniqueViolation(error, "users_email_unique")) return { ok: false, error: "email_taken" };
        if (isUniqueViolation(error, "accounts_provider_subject_pk")) return { ok: false, error: "identity_taken" };
        throw error;
      }
    },
    async touchAccount({ provider, subject, now }) {
      await db
        .update(accounts)
        .set({ lastUsedAt: now })
        .where(and(eq(accounts.provider, provider), eq(accounts.subject, subject)));
    },
    unlinkAccount: ({ provider, userId, event }) =>
      transaction(pool, async (tx) => {
        const removed = await tx
          .delete(accounts)
          .where(and(eq(accounts.provider, provider), eq(accounts.userId, userId)));
        if ((removed.rowCount ?? 0) === 0) return false;
        await insertEvent(tx, event);
        return true;
      }),
  };
}
