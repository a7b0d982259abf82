import { dpopProofs } from "@/db/postgres/schema";
import type { Engine } from "@/db/postgres/store";
import type { Store } from "@/lib/auth/store";

/** The DPoP replay cache: a proof seen before is refused (the primary key decides, on any instance). */
export function proofUnits({ db }: Engine): Pick<Store, "rememberDpopProof"> {
  return {
    async rememberDpopProof(id, expiresAt) {
      const inserted = await db.insert(dpopProofs).values({ id, expiresAt }).onConflictDoNothing();
      return inserted.rowCount === 1;
    },
  };
}
