import { inArray } from "drizzle-orm";
import type { Db } from "@/db/sqlite/client";
import { refreshFamilies, refreshTokens } from "@/db/sqlite/schema";
import type { createStatements } from "@/db/sqlite/statements";
import type { createUpkeepStatements } from "@/db/sqlite/statements-upkeep";
import type { EmailTokenRow, NewEvent, NewMail, Store } from "@/lib/auth/store";

type Statements = ReturnType<typeof createStatements> & ReturnType<typeof createUpkeepStatements>;

/** The SQLite store's units for pruning, DPoP proofs and emailed links (see db/sqlite/store.ts). */
export function createUpkeepUnits({
  db,
  q,
  tx,
  insertEvent,
  insertMail,
}: {
  db: Db;
  q: Statements;
  tx: <T>(fn: () => T) => T;
  insertEvent: (e: NewEvent) => unknown;
  insertMail: (mail: NewMail) => boolean;
}): Pick<Store, "prune" | "rememberDpopProof" | "issueEmailToken" | "emailToken" | "resetPassword" | "verifyEmail"> {
  return {
    async prune(cutoffs) {
      // Batches in short transactions, so a large backlog never holds the write lock for long.
      const drain = (run: () => number) => {
        let total = 0;
        for (let n = run(); n > 0; n = run()) total += n;
        return total;
      };
      const { batchSize } = cutoffs;
      return {
        // Tokens first (no cascade needed), then the families.
        families: drain(() =>
          tx(() => {
            const ids = (q.deadFamilies.all({ ...cutoffs, limit: batchSize }) as { id: string }[]).map((f) => f.id);
            if (ids.length === 0) return 0;
            db.delete(refreshTokens).where(inArray(refreshTokens.familyId, ids)).run();
            return db.delete(refreshFamilies).where(inArray(refreshFamilies.id, ids)).run().changes;
          }),
        ),
        jtis: drain(() => q.pruneJtis.run({ before: cutoffs.jtisExpiredBefore, limit: batchSize }).changes),
        events: drain(() => q.pruneEvents.run({ before: cutoffs.eventsBefore, limit: batchSize }).changes),
        emailTokens: drain(
          () => q.pruneEmailTokens.run({ before: cutoffs.emailTokensBefore, limit: batchSize }).changes,
        ),
        dpopProofs: drain(() => q.pruneDpopProofs.run({ before: cutoffs.dpopProofsBefore, limit: batchSize }).changes),
        mail: drain(() => q.pruneMail.run({ before: cutoffs.mailBefore, limit: batchSize }).changes),
      };
    },
    rememberDpopProof: async (id, expiresAt) => q.rememberDpopProof.run({ id, expiresAt }).changes === 1,
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
