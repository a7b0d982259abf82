import { openSqliteStorage } from "@/db/sqlite";
import type { Storage } from "@/db/storage";

export type { Storage, LimiterOptions } from "@/db/storage";

/** Opens the engine DATABASE_URL names (already parsed by lib/config) and applies migrations. */
export async function openStorage(database: { engine: "sqlite"; path: string }): Promise<Storage> {
  return openSqliteStorage(database.path);
}
