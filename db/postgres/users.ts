import { and, eq, getTableColumns, inArray, isNull, ne, sql } from "drizzle-orm";
import { isUniqueViolation } from "@/db/postgres/errors";
import { insertEvent } from "@/db/postgres/events";
import { insertMail } from "@/db/postgres/mail";
import { refreshFamilies, users } from "@/db/postgres/schema";
import { advanceStatement, denyJti } from "@/db/postgres/sessions";
import type { Engine } from "@/db/postgres/store";
import { transaction } from "@/db/postgres/transaction";
import { directRows } from "@/db/postgres/prepared";
import type { Store, UserRow } from "@/lib/auth/store";

/** Users: who they are, their password, their token version. */
export function userUnits({
  db,
  pool,
}: Engine): Pick<Store, "userByEmail" | "userById" | "userCount" | "insertUser" | "emailsOf" | "changePassword"> {
  const advanceFamily = advanceStatement(db);
  // A password sign-in reads the account by address, every other sign-in by id: named statements.
  const byEmail = directRows<UserRow>(
    "auth_user_by_email",
    db
      .select()
      .from(users)
      .where(eq(users.email, sql.placeholder("email"))),
    getTableColumns(users),
  );
  const byId = directRows<UserRow>(
    "auth_user_by_id",
    db
      .select()
      .from(users)
      .where(eq(users.id, sql.placeholder("id"))),
    getTableColumns(users),
  );
  return {
    async userByEmail(email) {
      const [row] = await byEmail.rows(db, { email });
      return row;
    },
    async userById(id) {
      const [row] = await byId.rows(db, { id });
      return row;
    },
    async userCount() {
      const [row] = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(users);
      return row?.n ?? 0;
    },
    async insertUser(user) {
      try {
        await db.insert(users).values(user);
        return { ok: true };
      } catch (error) {
        if (isUniqueViolation(error, "users_email_unique")) return { ok: false, error: "email_taken" };
        throw error;
      }
    },
    async emailsOf(userIds) {
      if (userIds.length === 0) return new Map();
      const rows = await db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.id, userIds));
      return new Map(rows.map((r) => [r.id, r.email]));
    },
    changePassword: ({ userId, familyId, passwordHash, now, issueToken, denyJti: deny, event, mail }) =>
      transaction(pool, async (tx) => {
        // Lock order: the user, then this family (a rotation in it waits, or has committed and its
        // token is what the row holds now).
        const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("update");
        const [family] = await tx.select().from(refreshFamilies).where(eq(refreshFamilies.id, familyId)).for("update");
        if (!user || !family || family.userId !== userId || family.revokedAt !== null || family.tokenHash === null)
          return null;
        await tx
          .update(users)
          .set({ passwordHash, tokenVersion: sql`${users.tokenVersion} + 1` })
          .where(eq(users.id, userId));
        const others = await tx
          .update(refreshFamilies)
          .set({ revokedAt: now, revokedReason: "password_changed" })
          .where(
            and(
              eq(refreshFamilies.userId, userId),
              isNull(refreshFamilies.revokedAt),
              ne(refreshFamilies.id, familyId),
            ),
          );
        const sessionsEnded = others.rowCount ?? 0;
        // This device's live token is superseded (not used): a stolen copy of it is reuse past the grace window.
        const generation = family.generation + 1;
        const advanced = await advanceFamily(tx, familyId, now, {
          fromHash: family.tokenHash,
          to: {
            generation,
            tokenHash: issueToken(generation),
            previousGeneration: family.generation,
            previousTokenHash: family.tokenHash,
            previousUsedAt: now,
            previousSuperseded: true,
          },
        });
        if (advanced !== 1) throw new Error("rotation gate lost under the family's lock");
        await denyJti(tx, deny, now);
        await insertEvent(tx, event(sessionsEnded));
        await insertMail(tx, mail);
        const { absoluteExpiresAt, createdAt, amr, authTime } = family;
        return { sessionsEnded, absoluteExpiresAt, createdAt, amr, authTime };
      }),
  };
}
