import { RateLimiterSQLite } from "rate-limiter-flexible";
import { migrateDatabase, openDatabase } from "@/db/sqlite/client";
import { INLINE_CHECKPOINT_PAGES, startCheckpointer } from "@/db/sqlite/checkpointer";
import { createSqliteStore } from "@/db/sqlite/store";
import { mapLimiterErrors, type Storage } from "@/db/storage";
import { StorageUnavailableError } from "@/lib/auth/store";

const RATE_LIMIT_TABLE = "rate_limits";

/** The embedded engine: one SQLite file (WAL), shared by any number of processes on one machine. */
export function openSqliteStorage(file: string, options: { server?: boolean } = {}): Storage {
  const db = openDatabase(file);
  migrateDatabase(db);
  let stopCheckpointer = async (): Promise<void> => undefined;
  if (options.server) {
    db.$client.pragma(`wal_autocheckpoint = ${INLINE_CHECKPOINT_PAGES}`);
    stopCheckpointer = startCheckpointer(file);
  }
  return {
    engine: "sqlite",
    store: createSqliteStore(db),
    createLimiter: (options) =>
      mapLimiterErrors(
        new RateLimiterSQLite({
          storeClient: db.$client,
          storeType: "better-sqlite3",
          tableName: RATE_LIMIT_TABLE,
          // The table comes from migrations (the library would create it asynchronously and refuse
          // calls until then: a 500 right after start-up).
          tableCreated: true,
          ...options,
        }),
        // The file cannot be read or written (locked past the busy timeout, gone, full).
        () => new StorageUnavailableError("The rate-limit store is unavailable."),
      ),
    async close() {
      await stopCheckpointer();
      db.$client.close();
    },
    sqlite: db,
  };
}
