import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { PgDb } from "@/db/postgres/client";
import { insertEvent } from "@/db/postgres/events";
import { insertMail } from "@/db/postgres/mail";
import { emailTokens, refreshFamilies, users } from "@/db/postgres/schema";
import type { Engine } from "@/db/postgres/store";
import { transaction } from "@/db/postgres/transaction";
import type { EmailTokenKind, Store } from "@/lib/auth/store";

/**
 * Emailed single-use links: password reset and email verification. Single use is the UPDATE …
 * WHERE used_at IS NULL AND expires_at > now on the token's own row: under READ COMMITTED a
 * concurrent caller waits for the first and re-checks the WHERE, so exactly one changes the row.
 */
export function linkUnits({
  db,
  pool,
}: Engine): Pick<Store, "issueEmailToken" | "emailToken" | "resetPassword" | "verifyEmail"> {
  const useToken = async (tx: PgDb, tokenHash: string, kind: EmailTokenKind, now: number) => {
    const [used] = await tx
      .update(emailTokens)
      .set({ usedAt: now })
      .where(
        and(
          eq(emailTokens.tokenHash, tokenHash),
          eq(emailTokens.kind, kind),
          isNull(emailTokens.usedAt),
          gt(emailTokens.expiresAt, now),
        ),
      )
      .returning({
        userId: emailTokens.userId,
        registrationPasswordHash: emailTokens.registrationPasswordHash,
        registrationName: emailTokens.registrationName,
      });
    return used;
  };
  /** Unused links of a kind stop working (a newer reset link; a used verification link). */
  const retireTokens = (tx: PgDb, userId: string, kind: EmailTokenKind, now: number) =>
    tx
      .update(emailTokens)
      .set({ usedAt: now })
      .where(and(eq(emailTokens.userId, userId), eq(emailTokens.kind, kind), isNull(emailTokens.usedAt)));
  const markVerified = (tx: PgDb, id: string, now: number) =>
    tx
      .update(users)
      .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now})` })
      .where(eq(users.id, id));

  return {
    issueEmailToken: ({ token, mail, event }) =>
      transaction(pool, async (tx) => {
        if (!(await insertMail(tx, mail))) return false;
        if (token.kind === "password_reset") await retireTokens(tx, token.userId, token.kind, token.now);
        await tx.insert(emailTokens).values({
          id: token.id,
          userId: token.userId,
          kind: token.kind,
          tokenHash: token.tokenHash,
          createdAt: token.now,
          expiresAt: token.expiresAt,
          registrationPasswordHash: token.registration?.passwordHash ?? null,
          registrationName: token.registration?.name ?? null,
        });
        await insertEvent(tx, event);
        return true;
      }),
    async emailToken(tokenHash) {
      const [row] = await db
        .select({
          userId: emailTokens.userId,
          kind: emailTokens.kind,
          expiresAt: emailTokens.expiresAt,
          usedAt: emailTokens.usedAt,
          registrationPasswordHash: emailTokens.registrationPasswordHash,
        })
        .from(emailTokens)
        .where(eq(emailTokens.tokenHash, tokenHash));
      return row;
    },
    resetPassword: ({ tokenHash, now, passwordHash, event, mail }) =>
      transaction(pool, async (tx) => {
        const used = await useToken(tx, tokenHash, "password_reset", now);
        if (!used) return null;
        // Lock order as everywhere: the user row, then families.
        await tx
          .update(users)
          .set({
            passwordHash,
            tokenVersion: sql`${users.tokenVersion} + 1`,
            emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now})`,
          })
          .where(eq(users.id, used.userId));
        const ended = await tx
          .update(refreshFamilies)
          .set({ revokedAt: now, revokedReason: "password_reset" })
          .where(and(eq(refreshFamilies.userId, used.userId), isNull(refreshFamilies.revokedAt)));
        const sessionsEnded = ended.rowCount ?? 0;
        // The mailbox is proven too: pending verification links (other registrations) die.
        await retireTokens(tx, used.userId, "email_verification", now);
        await insertEvent(tx, event(used.userId, sessionsEnded));
        await insertMail(tx, mail);
        return { userId: used.userId, sessionsEnded };
      }),
    verifyEmail: ({ tokenHash, now, event }) =>
      transaction(pool, async (tx) => {
        const used = await useToken(tx, tokenHash, "email_verification", now);
        if (!used) return null;
        let sessionsEnded = 0;
        if (used.registrationPasswordHash !== null) {
          // Lock order as everywhere: the user row, then families.
          await tx
            .update(users)
            .set({
              passwordHash: used.registrationPasswordHash,
              name: used.registrationName,
              tokenVersion: sql`${users.tokenVersion} + 1`,
              emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now})`,
            })
            .where(eq(users.id, used.userId));
          const ended = await tx
            .update(refreshFamilies)
            .set({ revokedAt: now, revokedReason: "registration_verified" })
            .where(and(eq(refreshFamilies.userId, used.userId), isNull(refreshFamilies.revokedAt)));
          sessionsEnded = ended.rowCount ?? 0;
        } else {
          await markVerified(tx, used.userId, now);
        }
        await retireTokens(tx, used.userId, "email_verification", now);
        await insertEvent(tx, event(used.userId, sessionsEnded));
        return { userId: used.userId, sessionsEnded };
      }),
  };
}
