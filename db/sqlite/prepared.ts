import type Database from "better-sqlite3";
import { binder, decodeRow, decoders, type CompiledQuery, type Values } from "@/db/drizzle-params";

/**
 * The hot paths' statements (a rotation, the full check) run on better-sqlite3 directly, with the
 * SQL, parameter encoders and column decoders Drizzle generates from the schema: Drizzle's generic
 * per-call work cost ~10% of a rotation (BENCHMARKS.md). Flat selections only.
 */
export function directRun(sqlite: Database.Database, query: CompiledQuery) {
  const { sql: text, params } = query.toSQL();
  const stmt = sqlite.prepare(text);
  const bind = binder(params, true); // better-sqlite3 copies the bindings before returning
  return { run: (values: Values) => stmt.run(bind(values)) };
}

export function directGet<Q extends CompiledQuery & { get(): unknown }>(
  sqlite: Database.Database,
  query: Q,
  fields: Record<string, unknown>,
): { get(values: Values): ReturnType<Q["get"]> | undefined } {
  const { sql: text, params } = query.toSQL();
  const stmt = sqlite.prepare(text).raw(true);
  const { keys, decoders: list } = decoders(fields, text);
  if (stmt.columns().length !== keys.length)
    throw new Error(`store: ${keys.length} fields but ${stmt.columns().length} columns in: ${text}`);
  const bind = binder(params, true);
  return {
    get(values: Values) {
      const row = stmt.get(bind(values)) as unknown[] | undefined;
      return row ? (decodeRow(row, keys, list) as ReturnType<Q["get"]>) : undefined;
    },
  };
}
