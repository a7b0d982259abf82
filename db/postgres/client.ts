import path from "node:path";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";

/** Drizzle on the pool (reads, single statements) or on one checked-out connection (a transaction,
 * a session). The store builds its queries with Drizzle's core API; no relational queries. */
export type PgDb = NodePgDatabase;

export type PostgresOptions = {
  /** postgres:// or postgresql:// URL (DATABASE_URL). Never logged, never in an error message. */
  url: string;
  /** Connections per instance (DATABASE_POOL_SIZE). */
  poolSize: number;
  /** How long a unit waits for a connection (a free pool slot or a new connection) before failing
   * with StorageUnavailableError. */
  connectionTimeoutMillis?: number;
  /** How long an unused connection stays open. */
  idleTimeoutMillis?: number;
};

const MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "postgres", "migrations");

/**
 * Advisory lock keys, (namespace, id) pairs: 0x61757468 is "auth". pg_advisory_lock(int4, int4)
 * lives in its own key space, apart from single-bigint keys other software might use.
 */
export const LOCK_NAMESPACE = 0x61757468;
export const LOCKS = { migrate: 1, prune: 2 } as const;
/** Transaction locks on one mail recipient, (this namespace, hashtext(recipient key)): "mail". */
export const MAIL_LOCK_NAMESPACE = 0x6d61696c;

/**
 * A node-postgres pool that survives the server going away: a connection that dies while idle
 * (a restart, a failover, an idle timeout on a proxy) is dropped by the pool and reported on its
 * `error` event, which must have a listener or Node ends the process. A checked-out client has no
 * such listener of the pool's: ours swallows the event, and the failure reaches the unit through
 * its query instead. New connections are made on demand, so the pool reconnects by itself.
 */
export function createPool(options: PostgresOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
    idleTimeoutMillis: options.idleTimeoutMillis ?? 30_000,
    keepAlive: true,
    application_name: "auth-starter",
  });
  pool.on("error", () => {
    /* an idle connection died; the pool already removed it and opens a new one when needed */
  });
  pool.on("connect", (client) => {
    client.on("error", () => {
      /* surfaced through the pending query (or the next one) as a connection error */
    });
  });
  return pool;
}

export function drizzleOn(client: pg.Pool | pg.PoolClient): PgDb {
  return drizzle(client);
}

/**
 * Runs `fn` on one connection of its own (a session: what advisory locks belong to). On any
 * failure the connection is destroyed instead of returned, so a lock it may still hold goes with it.
 */
export async function withSession<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    const result = await fn(client);
    client.release();
    return result;
  } catch (error) {
    client.release(error instanceof Error ? error : new Error("session failed"));
    throw error;
  }
}

/**
 * Applies pending migrations, one instance at a time: instances starting together on an empty
 * database queue on a session advisory lock; the first applies, the others then find nothing to do.
 */
export async function migratePostgres(pool: pg.Pool, migrationsFolder = MIGRATIONS_FOLDER): Promise<void> {
  await withSession(pool, async (client) => {
    await client.query("select pg_advisory_lock($1, $2)", [LOCK_NAMESPACE, LOCKS.migrate]);
    await migrate(drizzleOn(client), { migrationsFolder });
    await client.query("select pg_advisory_unlock($1, $2)", [LOCK_NAMESPACE, LOCKS.migrate]);
  });
}
