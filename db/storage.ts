import type { RateLimiterAbstract } from "rate-limiter-flexible";
import type { Store } from "@/lib/auth/store";

import type { LimiterOptions } from "@/lib/security/rate-limits";

export type { LimiterOptions };

/** An opened storage engine: the auth store, rate-limit counters in the same database, and close. */
export type Storage = {
  engine: "sqlite" | "postgres";
  store: Store;
  createLimiter(options: LimiterOptions): RateLimiterAbstract;
  close(): Promise<void>;
  /** SQLite only: the engine's own handle, for tests and scripts that inspect the database. */
  sqlite?: import("@/db/sqlite/client").Db;
};
