import { openPostgresStorage } from "@/db/postgres";
import { openSqliteStorage } from "@/db/sqlite";
import type { Storage } from "@/db/storage";
import type { Config } from "@/lib/config";

export type { Storage } from "@/db/storage";

/** What lib/config parsed DATABASE_URL (and DATABASE_POOL_SIZE) into. */
export type DatabaseConfig = Config["database"];

/**
 * Opens the engine DATABASE_URL names (already parsed by lib/config) and applies migrations.
 * `server`: a long-running server process (SQLite then checkpoints its WAL off the request path;
 * PostgreSQL keeps the full check in memory, fed by the database's revocation notices).
 */
export async function openStorage(
  database: DatabaseConfig,
  options: { server?: boolean; onTrouble?: (message: string) => void } = {},
): Promise<Storage> {
  switch (database.engine) {
    case "sqlite":
      return openSqliteStorage(database.path, options);
    case "postgres":
      return openPostgresStorage({
        url: database.url,
        poolSize: database.poolSize,
        revocationFeed: options.server,
        onTrouble: options.onTrouble,
      });
  }
}
