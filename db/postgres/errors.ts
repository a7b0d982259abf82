import { StorageUnavailableError } from "@/lib/auth/store";

/**
 * Driver errors never reach the core as they are: Drizzle wraps a failed query in an error whose
 * message carries the SQL and its parameters (password hashes, token hashes), and a connection
 * error may name the host. Connection-level failures become StorageUnavailableError (the HTTP
 * layer answers 503); anything else becomes a plain Error naming the operation and the SQLSTATE.
 * Neither message ever holds the URL, the password or a parameter.
 */

/** Node's socket errors that mean "the server is not there (now)". */
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/** SQLSTATEs of a server that is going away, starting, full or refusing this login. */
const UNAVAILABLE_STATES = new Set([
  "57P01", // admin_shutdown (pg_ctl stop -m fast, a failover)
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, shutting down, recovering)
  "53300", // too_many_connections
  "28000", // invalid_authorization_specification
  "28P01", // invalid_password
  "3D000", // invalid_catalog_name: the database does not exist (yet)
]);

/** node-postgres's own words for a connection that died or never came (they carry no code). */
const DRIVER_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /is not queryable/,
  /^Cannot use a pool after calling end on the pool$/,
];

type Coded = { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };

/** The errors a failure carries: itself, its causes (Drizzle wraps), an AggregateError's parts. */
function chain(error: unknown): Coded[] {
  const out: Coded[] = [];
  const visit = (e: unknown, depth: number) => {
    if (!e || typeof e !== "object" || depth > 5) return;
    const coded = e as Coded;
    out.push(coded);
    if (Array.isArray(coded.errors)) for (const part of coded.errors) visit(part, depth + 1);
    visit(coded.cause, depth + 1);
  };
  visit(error, 0);
  return out;
}

/** The SQLSTATE (or socket code) of a failure, if it has one. */
function errorCode(error: unknown): string | undefined {
  for (const e of chain(error)) if (typeof e.code === "string") return e.code;
  return undefined;
}

/** Why the database cannot be reached, as a code safe to show ("ECONNREFUSED", "57P01"), or undefined. */
export function unavailableReason(error: unknown): string | undefined {
  for (const e of chain(error)) {
    const code = typeof e.code === "string" ? e.code : "";
    if (SOCKET_CODES.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith("08")) return code;
    if (typeof e.message === "string" && DRIVER_MESSAGES.some((m) => m.test(e.message as string))) {
      if (/timeout/.test(e.message)) return "connect timeout";
      return /pool/.test(e.message) ? "pool closed" : "connection lost";
    }
  }
  return undefined;
}

/** What a failed unit throws to the core (see the top of this file). */
export function toStoreError(error: unknown, operation: string): Error {
  if (error instanceof StorageUnavailableError) return error;
  const reason = unavailableReason(error);
  if (reason) return new StorageUnavailableError(`The database is unavailable (${reason}).`);
  const code = errorCode(error);
  if (code) return new Error(`PostgreSQL store: ${operation} failed (SQLSTATE ${code}).`);
  // Our own errors (a lost rotation gate, a bug) carry no driver text: as they are.
  if (error instanceof Error && !("query" in error)) return error;
  return new Error(`PostgreSQL store: ${operation} failed.`);
}

/** Unique violation (SQLSTATE 23505) on the named constraint. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  return chain(error).some((e) => e.code === "23505" && (e as { constraint?: unknown }).constraint === constraint);
}

/** Deadlock or serialization failure: the transaction did nothing and may simply run again. */
export function isRetryable(error: unknown): boolean {
  const code = errorCode(error);
  return code === "40P01" || code === "40001";
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
