/**
 * Engine-neutral looks into a test's database, for the assertions that read rows directly (what an
 * attack changed, what is stored in clear, how many rows there are). SQLite through the storage's
 * own handle; PostgreSQL through a small pool of its own (bigint read as numbers, as the store does).
 */
import pg from "pg";
import type { DatabaseConfig, Storage } from "@/db";
import { getRuntime } from "@/lib/server/runtime";

type Row = Record<string, unknown>;
type Query = { text: string; params: unknown[] };

export type DbInspector = {
  /** Rows of a table (all columns unless named), filtered by column equality (null: IS NULL), ordered by a column. */
  rows(table: string, options?: { columns?: string[]; where?: Row; orderBy?: string }): Promise<Row[]>;
  count(table: string, where?: Row): Promise<number>;
  /** Every table in the database, the engine's and the migrator's bookkeeping included. */
  tables(): Promise<string[]>;
  /** Everything an attack could change (users, sessions, refresh tokens, deny-list), as one string. */
  snapshot(): Promise<string>;
  /** Deletes rate-limit counters whose key starts with `prefix` (what their expiry would do). */
  deleteRateLimitKeys(prefix: string): Promise<void>;
  /** Every row, in every table, that contains `needle` anywhere (as `table: row` JSON lines). */
  rowsContaining(needle: string): Promise<string[]>;
  /** Runs one statement as written (`?` placeholders): for setting up rows no code path writes any more. */
  execute(text: string, params?: unknown[]): Promise<void>;
};

/** A (schema-qualified) table or column name, quoted; test code only, still checked. */
const id = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/i.test(name)) throw new Error(`db-inspect: bad identifier ${name}`);
  return name
    .split(".")
    .map((part) => `"${part}"`)
    .join(".");
};

/** The SQL both engines accept, with `?` placeholders numbered for PostgreSQL. */
function select(table: string, options: { columns?: string[]; where?: Row; orderBy?: string } = {}): Query {
  const where = Object.entries(options.where ?? {});
  let text = `select ${options.columns?.map(id).join(", ") ?? "*"} from ${id(table)}`;
  // A null value means IS NULL (as `= NULL` would never match).
  const test = ([column, value]: [string, unknown]) => `${id(column)} ${value === null ? "is null" : "= ?"}`;
  if (where.length) text += ` where ${where.map(test).join(" and ")}`;
  if (options.orderBy) text += ` order by ${id(options.orderBy)}`;
  return { text, params: where.filter(([, value]) => value !== null).map(([, value]) => value) };
}

type Engine = { all(q: Query): Promise<Row[]>; run(q: Query): Promise<void>; tables(): Promise<string[]> };

function inspector({ all, run, tables }: Engine): DbInspector {
  const rows: DbInspector["rows"] = (table, options) => all(select(table, options));
  return {
    rows,
    async count(table, where) {
      const q = select(table, { where });
      const [row] = await all({ text: q.text.replace(/^select \* /, "select count(*) as n "), params: q.params });
      return Number(row.n);
    },
    tables,
    async snapshot() {
      return JSON.stringify({
        users: await rows("users", {
          columns: ["id", "email", "password_hash", "token_version", "disabled_at"],
          orderBy: "id",
        }),
        families: await rows("refresh_families", {
          columns: ["id", "revoked_at", "last_used_at", "generation", "token_hash", "previous_token_hash"],
          orderBy: "id",
        }),
        tokens: await rows("refresh_tokens", { columns: ["id", "used_at"], orderBy: "id" }),
        jtis: await rows("revoked_jtis", { columns: ["jti"], orderBy: "jti" }),
      });
    },
    async rowsContaining(needle) {
      const found: string[] = [];
      for (const table of await tables()) {
        for (const row of await rows(table)) {
          const line = JSON.stringify(row);
          if (line.includes(needle)) found.push(`${table}: ${line}`);
        }
      }
      return found;
    },
    execute: (text, params = []) => run({ text, params }),
    async deleteRateLimitKeys(prefix) {
      await run({ text: `delete from "rate_limits" where substr("key", 1, ${prefix.length}) = ?`, params: [prefix] });
    },
  };
}

const pools = new Map<string, pg.Pool>();

function postgresInspector(url: string): DbInspector {
  let pool = pools.get(url);
  if (!pool) {
    pool = new pg.Pool({
      connectionString: url,
      max: 2,
      allowExitOnIdle: true,
      types: {
        getTypeParser: ((oid: number, format: "text") =>
          oid === 20 ? Number : pg.types.getTypeParser(oid, format)) as never,
      },
    });
    pool.on("error", () => undefined);
    pools.set(url, pool);
  }
  const p = pool;
  const numbered = (text: string) => {
    let n = 0;
    return text.replace(/\?/g, () => `$${++n}`);
  };
  const all = async ({ text, params }: Query) => (await p.query(numbered(text), params)).rows;
  return inspector({
    all,
    run: async (q) => void (await all(q)),
    async tables() {
      const { rows } = await p.query(
        "select table_schema, table_name from information_schema.tables where table_schema in ('public', 'drizzle') order by 1, 2",
      );
      return rows.map((r) => (r.table_schema === "public" ? r.table_name : `${r.table_schema}.${r.table_name}`));
    },
  });
}

/** The database a test opened itself (makeAuth, or a storage from testDatabase()). */
export function inspect(storage: Storage, database: DatabaseConfig): DbInspector {
  if (database.engine === "postgres") return postgresInspector(database.url);
  const sqlite = storage.sqlite!.$client;
  return inspector({
    all: async ({ text, params }) => sqlite.prepare(text).all(...params) as Row[],
    run: async ({ text, params }) => void sqlite.prepare(text).run(...params),
    tables: async () =>
      (sqlite.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map(
        (t) => t.name,
      ),
  });
}

/** The database of the process's runtime (route-handler tests). */
export async function inspectRuntime(): Promise<DbInspector> {
  const rt = await getRuntime();
  return inspect(rt.storage, rt.config.database);
}
