import { Column, is, Param, Placeholder, SQL } from "drizzle-orm";

/**
 * What both engines' direct statements (db/sqlite/prepared.ts, db/postgres/prepared.ts) take from
 * Drizzle: the SQL it generates from the schema, bound and decoded without its per-call work.
 */
export type Values = Record<string, unknown>;
export type CompiledQuery = { toSQL(): { sql: string; params: unknown[] } };
type Decoder = { mapFromDriverValue(value: unknown): unknown };

/**
 * Drizzle's parameter list, bound positionally: a placeholder's value, through the column's
 * encoder when Drizzle attached one (as its fillPlaceholders does), or a literal. `reuse` returns
 * one array for every call (for a driver that copies the bindings before returning).
 */
export function binder(params: unknown[], reuse: boolean): (values: Values) => unknown[] {
  const slots = params.map((param) => {
    if (is(param, Placeholder)) return { name: param.name, encoder: undefined, literal: undefined };
    if (is(param, Param) && is(param.value, Placeholder))
      return { name: param.value.name, encoder: param.encoder, literal: undefined };
    return { name: undefined, encoder: undefined, literal: param };
  });
  const shared: unknown[] = new Array(slots.length);
  return (values) => {
    const args = reuse ? shared : new Array(slots.length);
    for (let i = 0; i < slots.length; i++) {
      const { name, encoder, literal } = slots[i];
      args[i] = name === undefined ? literal : encoder ? encoder.mapToDriverValue(values[name]) : values[name];
    }
    return args;
  };
}

/** Each selected field's decoder (a column, or an SQL field's mapWith), in the selection's order. */
export function decoders(fields: Record<string, unknown>, text: string): { keys: string[]; decoders: Decoder[] } {
  const keys = Object.keys(fields);
  const list = keys.map((key) => {
    const field = fields[key];
    if (is(field, Column)) return field as Decoder;
    // An SQL field's decoder (sql.mapWith(), else pass-through) is internal in Drizzle's types.
    if (is(field, SQL)) return (field as unknown as { decoder: Decoder }).decoder;
    throw new Error(`store: unsupported field "${key}" in: ${text}`);
  });
  return { keys, decoders: list };
}

/** A row of positional values as an object, each value through its decoder (null stays null). */
export function decodeRow(row: unknown[], keys: string[], list: Decoder[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) out[keys[i]] = row[i] === null ? null : list[i].mapFromDriverValue(row[i]);
  return out;
}
