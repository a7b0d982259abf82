import { and, asc, desc, eq, inArray, isNotNull, isNull, lt, max, or, sql } from "drizzle-orm";
import type { PgDb } from "@/db/postgres/client";
import { insertEvent } from "@/db/postgres/events";
import { insertMail } from "@/db/postgres/mail";
import { authEvents, mailQueue, rateLimits, refreshFamilies, twoFactor, users } from "@/db/postgres/schema";
import type { Engine } from "@/db/postgres/store";
import { transaction } from "@/db/postgres/transaction";
import type { Store } from "@/lib/auth/store";

/** The events that mean "signed in" for the admin list's last sign-in. */
const SIGN_IN_EVENTS = ["sign_in", "register"];

type Locked = { id: string; role: string; disabledAt: number | null };
const isEnabledAdmin = (u: Pick<Locked, "role" | "disabledAt">) => u.role === "admin" && u.disabledAt === null;

/**
 * Locks the target and every enabled administrator, in id order (users before anything else, as
 * every unit does). Two administrators demoting each other at once queue here; the second then
 * sees the first's change (READ COMMITTED rechecks a locked row's WHERE) and is refused.
 */
async function lockWithAdmins(tx: PgDb, userId: string) {
  const rows: Locked[] = await tx
    .select({ id: users.id, role: users.role, disabledAt: users.disabledAt })
    .from(users)
    .where(or(eq(users.id, userId), and(eq(users.role, "admin"), isNull(users.disabledAt))))
    .orderBy(asc(users.id))
    .for("update");
  const target = rows.find((r) => r.id === userId);
  const otherAdmins = rows.filter((r) => r.id !== userId && isEnabledAdmin(r)).length;
  return { target, otherAdmins };
}

/** The user list, role and disabled changes, deleting an account (the admin area, the CLI, the owner). */
export function administrationUnits({ db, pool }: Engine): Pick<Store, "listUsers" | "updateAccount" | "deleteUser"> {
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
          twoFactor: sql<boolean>`${twoFactor.enabledAt} is not null`,
          lastSignInAt: sql<number | null>`${lastSignIn.at}`.mapWith((v) => (v === null ? null : Number(v))),
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
        .limit(limit);
    },

    updateAccount: ({ userId, change, now, event }) =>
      transaction(pool, async (tx) => {
        const { target, otherAdmins } = await lockWithAdmins(tx, userId);
        if (!target) return "not_found" as const;
        if (isEnabledAdmin(target) && !isEnabledAdmin({ ...target, ...change }) && otherAdmins === 0)
          return "last_admin" as const;
        await tx
          .update(users)
          // Access tokens carrying the old role or issued before the disable stop at once.
          .set({ ...change, tokenVersion: sql`${users.tokenVersion} + 1` })
          .where(eq(users.id, userId));
        if ("disabledAt" in change && change.disabledAt !== null) {
          await tx
            .update(refreshFamilies)
            .set({ revokedAt: now, revokedReason: "user_disabled" })
            .where(and(eq(refreshFamilies.userId, userId), isNull(refreshFamilies.revokedAt)));
        }
        await insertEvent(tx, event);
        return "updated" as const;
      }),

    deleteUser: ({ userId, recipientKey, forgetKeys, event, mail }) =>
      transaction(pool, async (tx) => {
        const { target, otherAdmins } = await lockWithAdmins(tx, userId);
        if (!target) return "not_found" as const;
        if (isEnabledAdmin(target) && otherAdmins === 0) return "last_admin" as const;
        // Everything else hangs off the user by a cascading foreign key.
        await tx.delete(users).where(eq(users.id, userId));
        await tx.delete(mailQueue).where(eq(mailQueue.recipientKey, recipientKey));
        for (const suffix of forgetKeys)
          await tx.delete(rateLimits).where(sql`right(${rateLimits.key}, length(${suffix})) = ${suffix}`);
        await insertEvent(tx, event);
        await insertMail(tx, mail);
        return "deleted" as const;
      }),
  };
}
