import { openDatabase, migrateDatabase, type Db } from "@/db/sqlite/client";
import { createAuth, type Auth } from "@/lib/auth";
import { systemClock, systemRandom } from "@/lib/auth/clock";
import { getConfig, type Config } from "@/lib/config";
import type { KeySet } from "@/lib/auth/keys";
import { createLogger, type Logger } from "@/lib/server/log";
import { createRateLimits, type RateLimits } from "@/lib/security/rate-limits";
import { createStore, type Store } from "@/db/sqlite/store";
import { resolveKeySet } from "./keys";

/**
 * The process-wide wiring of the auth core: configuration, database, keys, logger, limits.
 * Kept on globalThis because Next may load this module once per bundle (instrumentation, proxy,
 * route handlers) in one process; they must share one database handle and one key set.
 */
export type Runtime = { config: Config; db: Db; store: Store; keys: KeySet; auth: Auth; log: Logger; limits: RateLimits };

const globalKey = Symbol.for("auth-starter.runtime");
const keysKey = Symbol.for("auth-starter.keys");
const logKey = Symbol.for("auth-starter.log");
type Globals = typeof globalThis & {
  [globalKey]?: Promise<Runtime>;
  [keysKey]?: Promise<KeySet>;
  [logKey]?: Logger;
};
const g = globalThis as Globals;

export function getLogger(): Logger {
  g[logKey] ??= createLogger(getConfig().logLevel);
  return g[logKey];
}

/** Keys only (no database): what the proxy needs. */
export function getKeySet(): Promise<KeySet> {
  g[keysKey] ??= resolveKeySet(getConfig(), getLogger()).catch((error) => {
    g[keysKey] = undefined;
    throw error;
  });
  return g[keysKey];
}

async function build(): Promise<Runtime> {
  const config = getConfig();
  const log = getLogger();
  const keys = await getKeySet();
  const db = openDatabase(config.databasePath);
  migrateDatabase(db);
  const store = createStore(db);
  const auth = createAuth({
    store,
    keys,
    config,
    clock: systemClock,
    random: systemRandom,
    onSecurityEvent: (type, detail) => log.warn({ event: type, ...detail }, "security event"),
  });
  const limits = createRateLimits(db.$client, config, log);
  return { config, db, store, keys, auth, log, limits };
}

export function getRuntime(): Promise<Runtime> {
  g[globalKey] ??= build().catch((error) => {
    g[globalKey] = undefined;
    throw error;
  });
  return g[globalKey];
}
