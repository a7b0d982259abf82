import { StorageUnavailableError } from "@/lib/auth/store";

/**
 * Driver errors never reach the core as they are (db/postgres/errors.ts does the same): a file
 * that stays locked past the busy timeout, cannot be read or written, is full or gone means the
 * database is unavailable (the HTTP layer answers 503, as for a PostgreSQL outage); anything else
 * becomes a plain Error naming the unit and SQLite's code. better-sqlite3's messages do not carry
 * parameters, but the SQL text would say more than the log needs.
 */
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|NOMEM|PROTOCOL)/;

function toStoreError(error: unknown, unit: string): Error {
  if (error instanceof StorageUnavailableError) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && UNAVAILABLE.test(code))
    return new StorageUnavailableError(`The database is unavailable (${code}).`);
  // A closed handle (the process is shutting down) says so only in words.
  if (error instanceof TypeError && /database connection is not open/.test(error.message))
    return new StorageUnavailableError("The database is unavailable (closed).");
  if (typeof code === "string") return new Error(`SQLite store: ${unit} failed (${code}).`);
  return error instanceof Error ? error : new Error(`SQLite store: ${unit} failed.`);
}

/** Every method of the store, its failures mapped by toStoreError. */
export function guarded<S extends object>(store: S): S {
  const out = {} as Record<string, unknown>;
  for (const [name, method] of Object.entries(store)) {
    out[name] =
      typeof method === "function"
        ? (...args: unknown[]) =>
            (method as (...a: unknown[]) => Promise<unknown>)(...args).catch((error: unknown) => {
              throw toStoreError(error, name);
            })
        : method;
  }
  return out as S;
}
