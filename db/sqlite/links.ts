import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/sqlite/client";
import { emailTokens, users } from "@/db/sqlite/schema";
import type { Engine } from "@/db/sqlite/store";
import type { EmailTokenRow, Store } from "@/lib/auth/store";

const p = sql.placeholder;

/** Emailed single-use links: password reset and email verification. */
export function linkStatements(db: Db) {
  return {
    markEmailVerified: db
      .update(users)
      .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${p("now")})` })
      .where(eq(users.id, p("id")))
      .prepare(),
    /** Unused links of a kind stop working (a newer reset link; a used verification link). */
    retireEmailTokens: db
      .update(emailTokens)
      .set({ usedAt: sql`${p("now")}` })
      .where(and(eq(emailTokens.userId, p("userId")), eq(emailTokens.kind, p("kind")), isNull(emailTokens.usedAt)))
      .prepare(),
    insertEmailToken: db
      .insert(emailTokens)
      .values({
        id: p("id"),
        userId: p("userId"),
        kind: p("kind"),
        tokenHash: p("tokenHash"),
        createdAt: p("now"),
        expiresAt: p("expiresAt"),
        registrationPasswordHash: p("registrationPasswordHash"),
        registrationName: p("registrationName"),
      })
      .prepare(),
    emailToken: db
      .select({
        userId: emailTokens.userId,
        kind: emailTokens.kind,
        expiresAt: emailTokens.expiresAt,
        usedAt: emailTokens.usedAt,
        registrationPasswordHash: emailTokens.registrationPasswordHash,
      })
      .from(emailTokens)
      .where(eq(emailTokens.tokenHash, p("tokenHash")))
      .prepare(),
    /** The single-use gate: one caller flips used_at, and only before expiry. */
    useEmailToken: db
      .update(emailTokens)
      .set({ usedAt: sql`${p("now")}` })
      .where(
        and(
          eq(emailTokens.tokenHash, p("tokenHash")),
          eq(emailTokens.kind, p("kind")),
          isNull(emailTokens.usedAt),
          gt(emailTokens.expiresAt, p("now")),
        ),
      )
      .returning({
        userId: emailTokens.userId,
        registrationPasswordHash: emailTokens.registrationPasswordHash,
        registrationName: emailTokens.registrationName,
      })
      .prepare(),
    /** A registration's link used: its password and name become the account's. */
    setRegistration: db
      .update(users)
      .set({
        passwordHash: sql`${p("passwordHash")}`,
        name: sql`${p("name")}`,
        tokenVersion: sql`${users.tokenVersion} + 1`,
      })
      .where(eq(users.id, p("id")))
      .prepare(),
  };
}

export function linkUnits({
  q,
  tx,
  insertEvent,
  insertMail,
}: Engine): Pick<Store, "issueEmailToken" | "emailToken" | "resetPassword" | "verifyEmail"> {
  return {
    async issueEmailToken({ token, mail, event }) {
      return tx(() => {
        if (!insertMail(mail)) return false;
        if (token.kind === "password_reset")
          q.retireEmailTokens.run({ userId: token.userId, kind: token.kind, now: token.now });
        q.insertEmailToken.run({
          ...token,
          registrationPasswordHash: token.registration?.passwordHash ?? null,
          registrationName: token.registration?.name ?? null,
        });
        insertEvent(event);
        return true;
      });
    },
    emailToken: async (tokenHash) => q.emailToken.get({ tokenHash }) as EmailTokenRow | undefined,
    async resetPassword({ tokenHash, now, passwordHash, event, mail }) {
      return tx(() => {
        const used = q.useEmailToken.get({ tokenHash, kind: "password_reset", now });
        if (!used) return null;
        q.setPassword.run({ id: used.userId, passwordHash });
        const sessionsEnded = q.revokeUserFamilies.run({ userId: used.userId, now, reason: "password_reset" }).changes;
        // The mailbox is proven too: the link arrived there. Pending verification links (of
        // registrations with other passwords) die with it.
        q.markEmailVerified.run({ id: used.userId, now });
        q.retireEmailTokens.run({ userId: used.userId, kind: "email_verification", now });
        insertEvent(event(used.userId, sessionsEnded));
        insertMail(mail);
        return { userId: used.userId, sessionsEnded };
      });
    },
    async verifyEmail({ tokenHash, now, event }) {
      return tx(() => {
        const used = q.useEmailToken.get({ tokenHash, kind: "email_verification", now });
        if (!used) return null;
        q.markEmailVerified.run({ id: used.userId, now });
        q.retireEmailTokens.run({ userId: used.userId, kind: "email_verification", now });
        let sessionsEnded = 0;
        if (used.registrationPasswordHash !== null) {
          q.setRegistration.run({
            id: used.userId,
            passwordHash: used.registrationPasswordHash,
            name: used.registrationName,
          });
          sessionsEnded = q.revokeUserFamilies.run({
            userId: used.userId,
            now,
            reason: "registration_verified",
          }).changes;
        }
        insertEvent(event(used.userId, sessionsEnded));
        return { userId: used.userId, sessionsEnded };
      });
    },
  };
}
