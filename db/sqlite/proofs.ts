import { sql } from "drizzle-orm";
import type { Db } from "@/db/sqlite/client";
import { dpopProofs } from "@/db/sqlite/schema";
import type { Engine } from "@/db/sqlite/store";
import type { Store } from "@/lib/auth/store";

const p = sql.placeholder;

/** The DPoP replay cache: a proof seen before is refused (the primary key decides, on any process). */
export function proofStatements(db: Db) {
  return {
    rememberDpopProof: db
      .insert(dpopProofs)
      .values({ id: p("id"), expiresAt: p("expiresAt") })
      .onConflictDoNothing()
      .prepare(),
  };
}

export function proofUnits({ q }: Engine): Pick<Store, "rememberDpopProof"> {
  return {
    rememberDpopProof: async (id, expiresAt) => q.rememberDpopProof.run({ id, expiresAt }).changes === 1,
  };
}
