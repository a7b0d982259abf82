import { openPostgresStorage } from "@/db/postgres";
import { openSqliteStorage } from "@/db/sqlite";
import type { Storage } from "@/db/storage";
import type { Config } from "@/lib/config";

export type { Storage, LimiterOptions } from "@/db/storage";

/** What lib/config parsed DATABASE_URL (and DATABASE_POOL_SIZE) into. */
export type DatabaseConfig = Config["database"];

/** Opens the engine DATABASE_URL names (already parsed by lib/config) and applies migrations. */
export async function openStorage(database: DatabaseConfig): Promise<Storage> {
  switch (database.engine) {
    case "sqlite":
      return openSqliteStorage(database.path);
    case "postgres":
      return openPostgresStorage({ url: database.url, poolSize: database.poolSize });
  }
}
