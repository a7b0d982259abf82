import type { PgDb } from "@/db/postgres/client";
import { isRetryable, toStoreError } from "@/db/postgres/errors";

export type Tx = Parameters<Parameters<PgDb["transaction"]>[0]>[0];

/** How often a unit runs again after a deadlock, or a rotation after a lost gate. */
export const MAX_ATTEMPTS = 4;

/** Thrown inside a rotation when a gate UPDATE changed no row: roll back, read and decide again. */
export class GateLost extends Error {
  constructor() {
    super("rotation gate lost");
    this.name = "GateLost";
  }
}

/**
 * One unit in one transaction (READ COMMITTED, PostgreSQL's default). Row locks are taken in one
 * order everywhere (user, then family, then tokens) so units do not deadlock; if PostgreSQL still
 * reports one (or a serialization failure) the unit rolled back entirely and simply runs again.
 */
export async function transaction<T>(db: PgDb, fn: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(fn);
    } catch (error) {
      if (attempt < MAX_ATTEMPTS && isRetryable(error)) continue;
      throw error;
    }
  }
}

/**
 * Wraps every method of a store so that what it throws is what the core may see (errors.ts):
 * StorageUnavailableError for connection failures, a plain Error otherwise, never a driver error.
 */
export function guarded<S extends object>(store: S): S {
  const out = {} as Record<string, unknown>;
  for (const [name, method] of Object.entries(store)) {
    out[name] =
      typeof method === "function"
        ? async (...args: unknown[]) => {
            try {
              return await method(...args);
            } catch (error) {
              throw toStoreError(error, name);
            }
          }
        : method;
  }
  return out as S;
}
