import { RateLimiterPostgres } from "rate-limiter-flexible";
import { createPool, drizzleOn, migratePostgres, type PostgresOptions } from "@/db/postgres/client";
import { toStoreError } from "@/db/postgres/errors";
import { withCachedFullCheck } from "@/db/postgres/cached-full-check";
import { startRevocationFeed } from "@/db/postgres/revocation-feed";
import { createPostgresStore } from "@/db/postgres/store";
import { createRevocationCache } from "@/db/revocation-cache";
import { mapLimiterErrors, type Storage } from "@/db/storage";

export type { PostgresOptions } from "@/db/postgres/client";

const RATE_LIMIT_TABLE = "rate_limits";

/**
 * The scale-out engine: any number of instances on one PostgreSQL database, each with a pool of
 * `poolSize` connections. Applies pending migrations (one instance at a time) before answering.
 * `revocationFeed` (a server): the full check answers from memory while a LISTEN connection keeps
 * it current (docs/decisions/pushed-revocation.md); scripts and tools read the database.
 */
export async function openPostgresStorage(
  options: PostgresOptions & { revocationFeed?: boolean; onTrouble?: (message: string) => void },
): Promise<Storage> {
  const pool = createPool(options);
  try {
    await migratePostgres(pool);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw toStoreError(error, "migrate");
  }
  const store = createPostgresStore(drizzleOn(pool), pool);
  const cache = options.revocationFeed ? createRevocationCache({ now: Date.now }) : null;
  const feed = cache ? startRevocationFeed({ url: options.url, cache, onTrouble: options.onTrouble }) : null;
  return {
    engine: "postgres",
    store: cache && feed ? withCachedFullCheck(store, cache, feed.sync) : store,
    revocations: cache && feed ? { ready: feed.ready, isLive: cache.isLive, size: cache.size } : undefined,
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
      await feed?.stop();
      await pool.end();
    },
  };
}
