import type Database from "better-sqlite3";
import { Column, is, Param, Placeholder, SQL } from "drizzle-orm";

type Values = Record<string, unknown>;
type CompiledQuery = { toSQL(): { sql: string; params: unknown[] } };

/**
 * Drizzle's parameter list, bound positionally: a placeholder's value, through the column's
 * encoder when Drizzle attached one (as its fillPlaceholders does), or a literal. Returns one
 * reused array (better-sqlite3 copies the bindings before returning).
 */
function binder(params: unknown[]): (values: Values) => unknown[] {
  const slots = params.map((param) => {
    if (is(param, Placeholder)) return { name: param.name, encoder: undefined, literal: undefined };
    if (is(param, Param) && is(param.value, Placeholder))
      return { name: param.value.name, encoder: param.encoder, literal: undefined };
    return { name: undefined, encoder: undefined, literal: param };
  });
  const args: unknown[] = new Array(slots.length);
  return (values) => {
    for (let i = 0; i < slots.length; i++) {
      const { name, encoder, literal } = slots[i];
      args[i] = name === undefined ? literal : encoder ? encoder.mapToDriverValue(values[name]) : values[name];
    }
    return args;
  };
}

/**
 * The hot paths' statements (a rotation, the full check) run on better-sqlite3 directly, with the
 * SQL, parameter encoders and column decoders Drizzle generates from the schema: Drizzle's generic
 * per-call work cost ~10% of a rotation (BENCHMARKS.md). Flat selections only.
 */
export function directRun(sqlite: Database.Database, query: CompiledQuery) {
  const { sql: text, params } = query.toSQL();
  const stmt = sqlite.prepare(text);
  const bind = binder(params);
  return { run: (values: Values) => stmt.run(bind(values)) };
}

export function directGet<Q extends CompiledQuery & { get(): unknown }>(
  sqlite: Database.Database,
  query: Q,
  fields: Record<string, unknown>,
): { get(values: Values): ReturnType<Q["get"]> | undefined } {
  const { sql: text, params } = query.toSQL();
  const stmt = sqlite.prepare(text).raw(true);
  const keys = Object.keys(fields);
  if (stmt.columns().length !== keys.length)
    throw new Error(`store: ${keys.length} fields but ${stmt.columns().length} columns in: ${text}`);
  const decoders = keys.map((key) => {
    const field = fields[key];
    if (is(field, Column)) return field;
    // An SQL field's decoder (sql.mapWith(), else pass-through) is internal in Drizzle's types.
    if (is(field, SQL))
      return (field as unknown as { decoder: { mapFromDriverValue(value: unknown): unknown } }).decoder;
    throw new Error(`store: unsupported field "${key}" in: ${text}`);
  });
  const bind = binder(params);
  return {
    get(values: Values) {
      const row = stmt.get(bind(values)) as unknown[] | undefined;
      if (!row) return undefined;
      const out: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++)
        out[keys[i]] = row[i] === null ? null : decoders[i].mapFromDriverValue(row[i]);
      return out as ReturnType<Q["get"]>;
    },
  };
}
