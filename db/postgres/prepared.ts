import type pg from "pg";
import type { PgDb } from "@/db/postgres/client";
import { binder, decodeRow, decoders, type CompiledQuery, type Values } from "@/db/drizzle-params";

/**
 * The hot paths' statements (a rotation's read and gate, a sign-in's reads and writes) run on
 * node-postgres directly as named statements: each connection parses and plans one once, and
 * every later call sends only its values. The SQL, parameter encoders and column decoders are the
 * ones Drizzle generates from the schema, built once here; Drizzle's per-call query building and
 * row mapping cost more CPU than the query's round trip (BENCHMARKS.md, issue 21). Flat
 * selections only. `on` is the pool or a transaction's connection (a Drizzle database on it).
 */
type Client = Pick<pg.Pool, "query">;
const clientOf = (on: PgDb) => (on as PgDb & { $client: Client }).$client;

export function directRun(name: string, query: CompiledQuery) {
  const { sql: text, params } = query.toSQL();
  const bind = binder(params, false); // node-postgres sends the values later: a fresh array each call
  return {
    /** The number of rows the statement changed. */
    async run(on: PgDb, values: Values): Promise<number> {
      const result = await clientOf(on).query({ name, text, values: bind(values) });
      return result.rowCount ?? 0;
    },
  };
}

export function directRows<Row>(name: string, query: CompiledQuery, fields: Record<string, unknown>) {
  const { sql: text, params } = query.toSQL();
  const { keys, decoders: list } = decoders(fields, text);
  const bind = binder(params, false);
  return {
    async rows(on: PgDb, values: Values): Promise<Row[]> {
      const result = await clientOf(on).query<unknown[]>({ name, text, values: bind(values), rowMode: "array" });
      if (result.fields.length !== keys.length)
        throw new Error(`store: ${keys.length} fields but ${result.fields.length} columns in: ${name}`);
      return result.rows.map((row) => decodeRow(row, keys, list) as Row);
    },
  };
}
