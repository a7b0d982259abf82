import type { RateLimiterAbstract } from "rate-limiter-flexible";
import type { Store } from "@/lib/auth/store";

export type LimiterOptions = { keyPrefix: string; points: number; duration: number; clearExpiredByTimeout?: boolean };

/** An opened storage engine: the auth store, rate-limit counters in the same database, and close. */
export type Storage = {
  engine: "sqlite" | "postgres";
  store: Store;
  createLimiter(options: LimiterOptions): RateLimiterAbstract;
  close(): Promise<void>;
  /** SQLite only: the engine's own handle, for tests and scripts that inspect the database. */
  sqlite?: import("@/db/sqlite/client").Db;
};
