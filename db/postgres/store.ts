import type pg from "pg";
import { accountUnits } from "@/db/postgres/accounts";
import { administrationUnits } from "@/db/postgres/administration";
import type { PgDb } from "@/db/postgres/client";
import { guarded } from "@/db/postgres/errors";
import { eventUnits } from "@/db/postgres/events";
import { linkUnits } from "@/db/postgres/links";
import { mailUnits } from "@/db/postgres/mail";
import { codeUnits } from "@/db/postgres/codes";
import { passkeyUnits } from "@/db/postgres/passkeys";
import { proofUnits } from "@/db/postgres/proofs";
import { pruneUnits } from "@/db/postgres/prune";
import { secondFactorUnits } from "@/db/postgres/second-factors";
import { sessionUnits } from "@/db/postgres/sessions";
import { userUnits } from "@/db/postgres/users";
import type { Store } from "@/lib/auth/store";

/** What the units of each concern share: Drizzle on the pool, and the pool (for transactions). */
export type Engine = { db: PgDb; pool: pg.Pool };

/**
 * The storage contract on PostgreSQL (node-postgres through Drizzle), put together from one file
 * per concern, laid out like db/sqlite (read the two side by side). Reads run on the pool; every
 * unit that writes more than one row runs in one transaction (transaction.ts), taking row locks in
 * one order: the user, then the family, then its tokens, then deny-list rows. Driver errors are
 * mapped by errors.ts: an outage is StorageUnavailableError (503), never a driver message.
 */
export function createPostgresStore(db: PgDb, pool: pg.Pool): Store {
  const engine: Engine = { db, pool };
  return guarded({
    ...userUnits(engine),
    ...sessionUnits(engine),
    ...linkUnits(engine),
    ...mailUnits(engine),
    ...eventUnits(engine),
    ...proofUnits(engine),
    ...secondFactorUnits(engine),
    ...passkeyUnits(engine),
    ...codeUnits(engine),
    ...accountUnits(engine),
    ...administrationUnits(engine),
    ...pruneUnits(engine),
  });
}
