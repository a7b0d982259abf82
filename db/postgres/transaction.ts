import type pg from "pg";
import { drizzleOn, type PgDb } from "@/db/postgres/client";
import { isRetryable, unavailableReason } from "@/db/postgres/errors";

/** Drizzle bound to the one connection a transaction runs on. */
export type Tx = PgDb;

/** How often a unit runs again after a deadlock, or a rotation after a lost gate. */
export const MAX_ATTEMPTS = 4;

/** BEGIN itself failed on a connection that had died while idle: nothing ran, another may work. */
class StaleConnection extends Error {
  constructor(readonly original: unknown) {
    super("stale connection");
  }
}

/**
 * BEGIN … COMMIT on one connection of the pool. Every failure path releases the connection:
 * destroyed (with the error) when ROLLBACK cannot run on it any more, else back to the pool.
 * (Drizzle's own db.transaction() leaks the connection when BEGIN fails, which a server restart
 * makes happen, and pool.end() then waits forever.)
 */
async function once<T>(pool: pg.Pool, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("begin");
  } catch (error) {
    client.release(error instanceof Error ? error : new Error("begin failed"));
    throw unavailableReason(error) ? new StaleConnection(error) : error;
  }
  let broken: Error | undefined;
  try {
    const result = await fn(drizzleOn(client));
    await client.query("commit");
    return result;
  } catch (error) {
    await client.query("rollback").catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * One unit in one transaction (READ COMMITTED, PostgreSQL's default). Row locks are taken in one
 * order everywhere (user, then family, then tokens, then deny-list rows) so units do not deadlock;
 * if PostgreSQL still reports one (or a serialization failure) the unit rolled back entirely and
 * simply runs again, as it does when BEGIN met a connection that died while idle in the pool.
 */
export async function transaction<T>(pool: pg.Pool, fn: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await once(pool, fn);
    } catch (error) {
      const again = attempt < MAX_ATTEMPTS;
      if (error instanceof StaleConnection) {
        if (again) continue;
        throw error.original;
      }
      if (again && isRetryable(error)) continue;
      throw error;
    }
  }
}
