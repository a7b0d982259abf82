import { and, eq, gt, isNotNull, isNull, sql } from "drizzle-orm";
import { authorizationCodes } from "@/db/postgres/schema";
import type { Engine } from "@/db/postgres/store";
import type { Store } from "@/lib/auth/store";

/**
 * Native apps' one-time authorization codes (RFC 8252). Each gate is one UPDATE on the code's row,
 * re-checked by PostgreSQL after a concurrent writer: of two exchanges, one marks it used; a second
 * use and the first exchange's family meet on the same row (its lock orders them), so whichever
 * writes second learns of the other.
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
      await db.insert(c).values(row);
    },
    async authorizationCode(codeHash) {
      const [row] = await db.select().from(c).where(eq(c.codeHash, codeHash));
      return row;
    },
    async useAuthorizationCode({ id, now }) {
      const used = await db
        .update(c)
        .set({ usedAt: now })
        .where(and(eq(c.id, id), isNull(c.usedAt), gt(c.expiresAt, now)));
      return used.rowCount === 1;
    },
    async authorizationCodeStarted({ id, familyId }) {
      const [row] = await db.update(c).set({ familyId }).where(eq(c.id, id)).returning({ replayedAt: c.replayedAt });
      return { replayed: row?.replayedAt != null };
    },
    async replayAuthorizationCode({ id, now }) {
      const [row] = await db
        .update(c)
        .set({ replayedAt: sql`coalesce(${c.replayedAt}, ${now}::bigint)` })
        .where(and(eq(c.id, id), isNotNull(c.usedAt)))
        .returning({ familyId: c.familyId });
      return { familyId: row?.familyId ?? null };
    },
  };
}
