import { and, count, desc, eq, inArray, isNotNull, isNull, lt, max, or, sql } from "drizzle-orm";
import { authEvents, mailQueue, rateLimits, twoFactor, users } from "@/db/sqlite/schema";
import type { Engine } from "@/db/sqlite/store";
import type { Store } from "@/lib/auth/store";

/** The events that mean "signed in" for the admin list's last sign-in. */
const SIGN_IN_EVENTS = ["sign_in", "register"];

/** The user list, role and disabled changes, deleting an account (the admin area, the CLI, the owner). */
export function administrationUnits({
  db,
  q,
  tx,
  insertEvent,
  insertMail,
}: Engine): Pick<Store, "listUsers" | "updateAccount" | "deleteUser"> {
  /** Enabled administrators other than `userId`: the last one must stay. */
  const otherAdmins = (userId: string) =>
    db
      .select({ n: count() })
      .from(users)
      .where(and(eq(users.role, "admin"), isNull(users.disabledAt), sql`${users.id} <> ${userId}`))
      .get()?.n ?? 0;
  const isEnabledAdmin = (u: { role: string; disabledAt: number | null }) =>
    u.role === "admin" && u.disabledAt === null;

  return {
    async listUsers({ query, after, limit, userId }) {
      const pattern = query ? `%${query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
      const lastSignIn = db
        .select({ userId: authEvents.userId, at: max(authEvents.at).as("last_at") })
        .from(authEvents)
        .where(inArray(authEvents.type, SIGN_IN_EVENTS))
        .groupBy(authEvents.userId)
        .as("last_sign_in");
      return db
        .select({
          id: users.id,
          email: users.email,
          name: users.name,
          role: users.role,
          emailVerifiedAt: users.emailVerifiedAt,
          disabledAt: users.disabledAt,
          createdAt: users.createdAt,
          twoFactor: sql<number>`${twoFactor.enabledAt} is not null`.mapWith(Boolean),
          lastSignInAt: lastSignIn.at,
        })
        .from(users)
        .leftJoin(twoFactor, and(eq(twoFactor.userId, users.id), isNotNull(twoFactor.enabledAt)))
        .leftJoin(lastSignIn, eq(lastSignIn.userId, users.id))
        .where(
          and(
            userId ? eq(users.id, userId) : undefined,
            pattern
              ? or(
                  sql`${users.email} like ${pattern} escape '\\'`,
                  sql`lower(coalesce(${users.name}, '')) like ${pattern} escape '\\'`,
                )
              : undefined,
            after
              ? or(
                  lt(users.createdAt, after.createdAt),
                  and(eq(users.createdAt, after.createdAt), lt(users.id, after.id)),
                )
              : undefined,
          ),
        )
        .orderBy(desc(users.createdAt), desc(users.id))
        .limit(limit)
        .all();
    },

    async updateAccount({ userId, change, now, event }) {
      return tx(() => {
        const user = q.userById.get({ id: userId });
        if (!user) return "not_found";
        const after = { role: user.role, disabledAt: user.disabledAt, ...change };
        if (isEnabledAdmin(user) && !isEnabledAdmin(after) && otherAdmins(userId) === 0) return "last_admin";
        if ("role" in change) {
          // A new role: access tokens carrying the old one stop at once (the next refresh mints the new).
          db.update(users)
            .set({ role: change.role, tokenVersion: sql`${users.tokenVersion} + 1` })
            .where(eq(users.id, userId))
            .run();
        } else {
          db.update(users)
            .set({ disabledAt: change.disabledAt, tokenVersion: sql`${users.tokenVersion} + 1` })
            .where(eq(users.id, userId))
            .run();
          if (change.disabledAt !== null) q.revokeUserFamilies.run({ userId, now, reason: "user_disabled" });
        }
        insertEvent(event);
        return "updated";
      });
    },

    async deleteUser({ userId, recipientKey, forgetKeys, event, mail }) {
      return tx(() => {
        const user = q.userById.get({ id: userId });
        if (!user) return "not_found";
        if (isEnabledAdmin(user) && otherAdmins(userId) === 0) return "last_admin";
        // Everything else hangs off the user by a cascading foreign key.
        db.delete(users).where(eq(users.id, userId)).run();
        db.delete(mailQueue).where(eq(mailQueue.recipientKey, recipientKey)).run();
        for (const suffix of forgetKeys)
          db.delete(rateLimits)
            .where(sql`substr(${rateLimits.key}, -length(${suffix})) = ${suffix}`)
            .run();
        insertEvent(event);
        insertMail(mail);
        return "deleted";
      });
    },
  };
}
