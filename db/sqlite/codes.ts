import { and, eq, gt, isNotNull, isNull, sql } from "drizzle-orm";
import { authorizationCodes } from "@/db/sqlite/schema";
import type { Engine } from "@/db/sqlite/store";
import type { Store } from "@/lib/auth/store";

/**
 * Native apps' one-time authorization codes (RFC 8252). Each gate is one UPDATE on the code's row:
 * of two exchanges, one marks it used; a second use and the first exchange's family meet on the
 * same row, so whichever writes second learns of the other.
 */
export function codeUnits({
  db,
}: Engine): Pick<
  Store,
  | "insertAuthorizationCode"
  | "authorizationCode"
  | "useAuthorizationCode"
  | "authorizationCodeStarted"
  | "replayAuthorizationCode"
> {
  const c = authorizationCodes;
  return {
    async insertAuthorizationCode(row) {
      db.insert(c).values(row).run();
    },
    authorizationCode: async (codeHash) => db.select().from(c).where(eq(c.codeHash, codeHash)).get(),
    useAuthorizationCode: async ({ id, now }) =>
      db
        .update(c)
        .set({ usedAt: now })
        .where(and(eq(c.id, id), isNull(c.usedAt), gt(c.expiresAt, now)))
        .run().changes === 1,
    async authorizationCodeStarted({ id, familyId }) {
      const [row] = db.update(c).set({ familyId }).where(eq(c.id, id)).returning({ replayedAt: c.replayedAt }).all();
      return { replayed: row?.replayedAt != null };
    },
    async replayAuthorizationCode({ id, now }) {
      const [row] = db
        .update(c)
        .set({ replayedAt: sql`coalesce(${c.replayedAt}, ${now})` })
        .where(and(eq(c.id, id), isNotNull(c.usedAt)))
        .returning({ familyId: c.familyId })
        .all();
      return { familyId: row?.familyId ?? null };
    },
  };
}
