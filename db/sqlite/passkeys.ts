import { and, asc, eq, isNull } from "drizzle-orm";
import { passkeys, users, webauthnChallenges } from "@/db/sqlite/schema";
import type { Engine } from "@/db/sqlite/store";
import type { Store } from "@/lib/auth/store";

/** Passkeys (WebAuthn credentials) and their one-use challenges. */
export function passkeyUnits({
  db,
  tx,
  insertEvent,
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
    passkeysOf: async (userId) =>
      db.select().from(passkeys).where(eq(passkeys.userId, userId)).orderBy(asc(passkeys.createdAt)).all(),
    passkeyById: async (id) => db.select().from(passkeys).where(eq(passkeys.id, id)).get(),
    async passkeyUserIdOf({ userId, candidate }) {
      return tx(() => {
        db.update(users)
          .set({ passkeyUserId: candidate })
          .where(and(eq(users.id, userId), isNull(users.passkeyUserId)))
          .run();
        return db.select({ handle: users.passkeyUserId }).from(users).where(eq(users.id, userId)).get()?.handle ?? null;
      });
    },
    userByPasskeyUserId: async (handle) => db.select().from(users).where(eq(users.passkeyUserId, handle)).get(),
    async insertPasskey({ passkey, event }) {
      return tx(() => {
        if (db.insert(passkeys).values(passkey).onConflictDoNothing().run().changes !== 1) return false;
        insertEvent(event);
        return true;
      });
    },
    // The counter moves only from the value the assertion was checked against: a concurrent use
    // of the same credential cannot move it back.
    usePasskey: async ({ id, expectedCounter, counter, now }) =>
      db
        .update(passkeys)
        .set({ counter, lastUsedAt: now })
        .where(and(eq(passkeys.id, id), eq(passkeys.counter, expectedCounter)))
        .run().changes === 1,
    renamePasskey: async ({ id, userId, name }) =>
      db
        .update(passkeys)
        .set({ name })
        .where(and(eq(passkeys.id, id), eq(passkeys.userId, userId)))
        .run().changes === 1,
    async deletePasskey({ id, userId, event }) {
      return tx(() => {
        const deleted = db
          .delete(passkeys)
          .where(and(eq(passkeys.id, id), eq(passkeys.userId, userId)))
          .run().changes;
        if (deleted !== 1) return false;
        insertEvent(event);
        return true;
      });
    },
    async insertChallenge(row) {
      db.insert(webauthnChallenges).values(row).run();
    },
    async takeChallenge({ id, now }) {
      const [row] = db.delete(webauthnChallenges).where(eq(webauthnChallenges.id, id)).returning().all();
      if (!row || row.expiresAt <= now) return undefined;
      return { challenge: row.challenge, purpose: row.purpose, userId: row.userId };
    },
  };
}
