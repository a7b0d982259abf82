import { RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Store } from "@/lib/auth/store";

import type { LimiterOptions } from "@/lib/shared/limits";

/** An opened storage engine: the auth store, rate-limit counters in the same database, and close. */
export type Storage = {
  engine: "sqlite" | "postgres";
  store: Store;
  createLimiter(options: LimiterOptions): RateLimiterAbstract;
  close(): Promise<void>;
  /** PostgreSQL servers: the in-memory full check's state (docs/decisions/pushed-revocation.md). */
  revocations?: {
    /** Resolves when the feed is live. */
    ready(): Promise<void>;
    isLive(): boolean;
    size(): { users: number; families: number; denied: number };
  };
  /** SQLite only: the engine's own handle, for tests and scripts that inspect the database. */
  sqlite?: import("@/db/sqlite/client").Db;
};

const LIMITER_METHODS = new Set(["consume", "penalty", "reward", "get", "set", "block", "delete"]);

/**
 * A limiter whose failures the engine maps like its store's: the library's own rejection
 * (RateLimiterRes: over the limit) passes through; anything else its database throws becomes
 * what `toError` makes of it (StorageUnavailableError when the database is down, so the HTTP
 * layer answers 503), never a driver error.
 */
export function mapLimiterErrors<L extends RateLimiterAbstract>(limiter: L, toError: (error: unknown) => Error): L {
  return new Proxy(limiter, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== "function" || !LIMITER_METHODS.has(String(name))) return value;
      return (...args: unknown[]) =>
        (value as (...a: unknown[]) => Promise<unknown>).apply(target, args).catch((error: unknown) => {
          throw error instanceof RateLimiterRes ? error : toError(error);
        });
    },
  });
}
