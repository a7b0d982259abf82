import { and, asc, eq, isNull } from "drizzle-orm";
import { insertEvent } from "@/db/postgres/events";
import { passkeys, users, webauthnChallenges } from "@/db/postgres/schema";
import type { Engine } from "@/db/postgres/store";
import { transaction } from "@/db/postgres/transaction";
import type { Store } from "@/lib/auth/store";

/** Passkeys (WebAuthn credentials) and their one-use challenges. */
export function passkeyUnits({
  db,
  pool,
}: Engine): Pick<
  Store,
  | "passkeysOf"
  | "passkeyById"
  | "passkeyUserIdOf"
  | "userByPasskeyUserId"
  | "insertPasskey"
  | "usePasskey"
  | "renamePasskey"
  | "deletePasskey"
  | "insertChallenge"
  | "takeChallenge"
> {
  return {
    passkeysOf: (userId) =>
      db.select().from(passkeys).where(eq(passkeys.userId, userId)).orderBy(asc(passkeys.createdAt)),
    async passkeyById(id) {
      const [row] = await db.select().from(passkeys).where(eq(passkeys.id, id));
      return row;
    },
    async passkeyUserIdOf({ userId, candidate }) {
      // Set once (the first passkey), read after: two first passkeys at once agree on one handle.
      await db
        .update(users)
        .set({ passkeyUserId: candidate })
        .where(and(eq(users.id, userId), isNull(users.passkeyUserId)));
      const [row] = await db.select({ handle: users.passkeyUserId }).from(users).where(eq(users.id, userId));
      return row?.handle ?? null;
    },
    async userByPasskeyUserId(handle) {
      const [row] = await db.select().from(users).where(eq(users.passkeyUserId, handle));
      return row;
    },
    insertPasskey: ({ passkey, event }) =>
      transaction(pool, async (tx) => {
        const inserted = await tx.insert(passkeys).values(passkey).onConflictDoNothing();
        if (inserted.rowCount !== 1) return false;
        await insertEvent(tx, event);
        return true;
      }),
    // The counter moves only from the value the assertion was checked against: a concurrent use
    // of the same credential cannot move it back.
    async usePasskey({ id, expectedCounter, counter, now }) {
      const used = await db
        .update(passkeys)
        .set({ counter, lastUsedAt: now })
        .where(and(eq(passkeys.id, id), eq(passkeys.counter, expectedCounter)));
      return used.rowCount === 1;
    },
    async renamePasskey({ id, userId, name }) {
      const renamed = await db
        .update(passkeys)
        .set({ name })
        .where(and(eq(passkeys.id, id), eq(passkeys.userId, userId)));
      return renamed.rowCount === 1;
    },
    deletePasskey: ({ id, userId, event }) =>
      transaction(pool, async (tx) => {
        const deleted = await tx.delete(passkeys).where(and(eq(passkeys.id, id), eq(passkeys.userId, userId)));
        if (deleted.rowCount !== 1) return false;
        await insertEvent(tx, event);
        return true;
      }),
    async insertChallenge(row) {
      await db.insert(webauthnChallenges).values(row);
    },
    async takeChallenge({ id, now }) {
      // DELETE … RETURNING: of two requests with one challenge, one gets the row.
      const [row] = await db.delete(webauthnChallenges).where(eq(webauthnChallenges.id, id)).returning();
      if (!row || row.expiresAt <= now) return undefined;
      return { challenge: row.challenge, purpose: row.purpose, userId: row.userId };
    },
  };
}
