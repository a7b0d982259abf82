import { eq, getTableColumns, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db/sqlite/client";
import { directGet } from "@/db/sqlite/prepared";
import { users } from "@/db/sqlite/schema";
import type { Engine } from "@/db/sqlite/store";
import type { Store, UserRow } from "@/lib/auth/store";

const p = sql.placeholder;

/** Users: who they are, their password, their token version. */
export function userStatements(db: Db) {
  return {
    // On every sign-in and rotation: run on better-sqlite3 directly (db/sqlite/prepared.ts).
    userByEmail: directGet(
      db.$client,
      db
        .select()
        .from(users)
        .where(eq(users.email, p("email"))),
      getTableColumns(users),
    ),
    userById: directGet(
      db.$client,
      db
        .select()
        .from(users)
        .where(eq(users.id, p("id"))),
      getTableColumns(users),
    ),
    userCount: db
      .select({ n: sql<number>`count(*)` })
      .from(users)
      .prepare(),
    setPassword: db
      .update(users)
      .set({ passwordHash: sql`${p("passwordHash")}`, tokenVersion: sql`${users.tokenVersion} + 1` })
      .where(eq(users.id, p("id")))
      .prepare(),
    bumpTokenVersion: db
      .update(users)
      .set({ tokenVersion: sql`${users.tokenVersion} + 1` })
      .where(eq(users.id, p("id")))
      .prepare(),
  };
}

export function userUnits({
  db,
  q,
  tx,
  insertEvent,
  insertMail,
  denyJti,
}: Engine): Pick<Store, "userByEmail" | "userById" | "userCount" | "insertUser" | "emailsOf" | "changePassword"> {
  return {
    userByEmail: async (email) => q.userByEmail.get({ email }) as UserRow | undefined,
    userById: async (id) => q.userById.get({ id }) as UserRow | undefined,
    userCount: async () => q.userCount.get()?.n ?? 0,
    async insertUser(user) {
      try {
        // Every column the row has (a column added to users needs no change here).
        db.insert(users).values(user).run();
        return { ok: true };
      } catch (error) {
        const { code, message } = error as { code?: string; message?: string };
        if (code === "SQLITE_CONSTRAINT_UNIQUE" && message?.includes("users.email"))
          return { ok: false, error: "email_taken" };
        throw error;
      }
    },
    async emailsOf(userIds) {
      if (userIds.length === 0) return new Map();
      const rows = db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.id, userIds)).all();
      return new Map(rows.map((r) => [r.id, r.email]));
    },
    async changePassword({ userId, familyId, passwordHash, now, issueToken, denyJti: deny, event, mail }) {
      return tx(() => {
        const family = q.familyById.get({ id: familyId });
        if (!family || family.userId !== userId || family.revokedAt !== null || family.tokenHash === null) return null;
        q.setPassword.run({ id: userId, passwordHash });
        const sessionsEnded = q.revokeOtherFamilies.run({
          userId,
          keepId: familyId,
          now,
          reason: "password_changed",
        }).changes;
        // This device's live token is superseded (not used): a stolen copy of it is reuse past the grace window.
        const generation = family.generation + 1;
        const changed = q.advance.run({
          id: familyId,
          fromHash: family.tokenHash,
          now,
          generation,
          tokenHash: issueToken(generation),
          previousGeneration: family.generation,
          previousTokenHash: family.tokenHash,
          previousUsedAt: now,
          previousSuperseded: 1,
        }).changes;
        if (changed !== 1) throw new Error("rotation gate lost");
        denyJti(deny, now);
        insertEvent(event(sessionsEnded));
        insertMail(mail);
        const { absoluteExpiresAt, createdAt, amr, authTime } = family;
        return { sessionsEnded, absoluteExpiresAt, createdAt, amr, authTime };
      });
    },
  };
}
