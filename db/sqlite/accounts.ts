import { and, asc, eq } from "drizzle-orm";
import { accounts, users } from "@/db/sqlite/schema";
import type { Engine } from "@/db/sqlite/store";
import type { Store } from "@/lib/auth/store";

/** Identities at providers linked to users (the primary key (provider, subject) decides). */
export function accountUnits({
  db,
  tx,
  insertEvent,
  insertMail,
}: Engine): Pick<
  Store,
  "accountByProvider" | "accountsOf" | "linkAccount" | "createUserWithAccount" | "touchAccount" | "unlinkAccount"
> {
  return {
    accountByProvider: async (provider, subject) =>
      db
        .select()
        .from(accounts)
        .where(and(eq(accounts.provider, provider), eq(accounts.subject, subject)))
        .get(),
    accountsOf: async (userId) =>
      db.select().from(accounts).where(eq(accounts.userId, userId)).orderBy(asc(accounts.createdAt)).all(),
    async linkAccount({ account, event, mail }) {
      return tx(() => {
        if (db.insert(accounts).values(account).onConflictDoNothing().run().changes !== 1) return false;
        insertEvent(event);
        insertMail(mail);
        return true;
      });
    },
    async createUserWithAccount({ user, account, event }) {
      return tx(() => {
        if (db.select({ id: users.id }).from(users).where(eq(users.email, user.email)).get())
          return { ok: false as const, error: "email_taken" as const };
        db.insert(users).values(user).run();
        if (db.insert(accounts).values(account).onConflictDoNothing().run().changes !== 1) {
          // Rolled back with the transaction: the identity was linked meanwhile.
          throw new IdentityTaken();
        }
        insertEvent(event);
        return { ok: true as const };
      });
    },
    async touchAccount({ provider, subject, now }) {
      db.update(accounts)
        .set({ lastUsedAt: now })
        .where(and(eq(accounts.provider, provider), eq(accounts.subject, subject)))
        .run();
    },
    async unlinkAccount({ provider, userId, event }) {
      return tx(() => {
        const removed = db
          .delete(accounts)
          .where(and(eq(accounts.provider, provider), eq(accounts.userId, userId)))
          .run().changes;
        if (removed === 0) return false;
        insertEvent(event);
        return true;
      });
    },
  };
}

/** Thrown inside createUserWithAccount's transaction to undo the user it inserted. */
class IdentityTaken extends Error {}

/** The store's createUserWithAccount answers identity_taken for what IdentityTaken undid. */
export function identityTakenAsResult(units: ReturnType<typeof accountUnits>): ReturnType<typeof accountUnits> {
  const create = units.createUserWithAccount;
  return {
    ...units,
    async createUserWithAccount(input) {
      try {
        return await create(input);
      } catch (error) {
        if (error instanceof IdentityTaken) return { ok: false, error: "identity_taken" };
        throw error;
      }
    },
  };
}
