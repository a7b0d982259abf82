import { RateLimiterPostgres } from "rate-limiter-flexible";
import { createPool, drizzleOn, migratePostgres, type PostgresOptions } from "@/db/postgres/client";
import { toStoreError } from "@/db/postgres/errors";
import { createPostgresStore } from "@/db/postgres/store";
import { mapLimiterErrors, type Storage } from "@/db/storage";

export type { PostgresOptions } from "@/db/postgres/client";

const RATE_LIMIT_TABLE = "rate_limits";

/**
 * The scale-out engine: any number of instances on one PostgreSQL database, each with a pool of
 * `poolSize` connections. Applies pending migrations (one instance at a time) before answering.
 */
export async function openPostgresStorage(options: PostgresOptions): Promise<Storage> {
  const pool = createPool(options);
  try {
    await migratePostgres(pool);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw toStoreError(error, "migrate");
  }
  return {
    engine: "postgres",
    store: createPostgresStore(drizzleOn(pool), pool),
    // rate-limiter-flexible's Postgres store on the app's pool, its failures mapped like the store's.
    createLimiter: (limiter) =>
      mapLimiterErrors(
        new RateLimiterPostgres({
          storeClient: pool,
          storeType: "pool",
          tableName: RATE_LIMIT_TABLE,
          // The table comes from migrations: with tableCreated the library neither creates it nor
          // refuses calls until it has.
          tableCreated: true,
          ...limiter,
        }),
        (error) => toStoreError(error, "rate limit"),
      ),
    async close() {
      await pool.end();
    },
  };
}
