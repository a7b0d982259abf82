/**
 * What the benchmark's servers stand on: a SQLite file, or a throwaway PostgreSQL cluster
 * (tests/pg-cluster.ts), plus a loopback SMTP sink (production needs SMTP_URL; with
 * EMAIL_VERIFICATION=off nothing is mailed during the cases).
 */
import path from "node:path";
import { startMailboxServer } from "../../e2e/mailbox-server";
import { findPgBinaries } from "../../tests/pg-binaries";
import { createDatabase, startCluster, type Cluster } from "../../tests/pg-cluster";
import { generateKeySetJson } from "@/lib/auth/keys";
import { generateSecretsKey } from "@/lib/auth/sealed";
import { log } from "./config";

export type Engine = "sqlite" | "postgres";

/** BENCH_ENGINES (default both); PostgreSQL is skipped, with a note, when its binaries are missing. */
export function enginesToRun(): Engine[] {
  const asked = (process.env.BENCH_ENGINES ?? "sqlite,postgres").split(",").map((s) => s.trim()) as Engine[];
  const hasPostgres = findPgBinaries() !== null;
  if (asked.includes("postgres") && !hasPostgres) log("PostgreSQL binaries not found: PostgreSQL cases skipped");
  return asked.filter((e) => e === "sqlite" || (e === "postgres" && hasPostgres));
}

export type Backing = { databaseUrl: string; smtpUrl: string; stop: () => Promise<void>; note: string };

/** PostgreSQL with its durable defaults except synchronous_commit=off, SQLite's synchronous=NORMAL counterpart. */
const POSTGRES_SETTINGS = { fsync: "on", full_page_writes: "on", synchronous_commit: "off", max_connections: 100 };

export async function startBacking(engine: Engine, tmp: string): Promise<Backing> {
  const mail = await startMailboxServer(path.join(tmp, `mail-${engine}`));
  if (engine === "sqlite") {
    return {
      databaseUrl: `file:${path.join(tmp, "bench.db")}`,
      smtpUrl: mail.url,
      stop: mail.close,
      note: "SQLite file (WAL, synchronous=NORMAL)",
    };
  }
  let cluster: Cluster | undefined;
  try {
    cluster = await startCluster({ settings: POSTGRES_SETTINGS });
    const databaseUrl = await createDatabase(cluster.url);
    const started = cluster;
    return {
      databaseUrl,
      smtpUrl: mail.url,
      stop: async () => {
        started.destroy();
        await mail.close();
      },
      note: `PostgreSQL (${Object.entries(POSTGRES_SETTINGS)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ")}), loopback TCP, pool ${POOL_SIZE}`,
    };
  } catch (error) {
    cluster?.destroy();
    await mail.close();
    throw error;
  }
}

/** DATABASE_POOL_SIZE for the benchmark's PostgreSQL server (the default, stated in the report). */
const POOL_SIZE = 10;

/** Every bench server shares one (they may share a database and its mail queue). */
const SECRETS_KEY = generateSecretsKey();

/** A production server's environment: a fresh key set, its database, rate limits off. */
export async function serverEnv(port: number, backing: Backing): Promise<Record<string, string>> {
  return {
    NODE_ENV: "production",
    AUTH_SIGNING_KEYS: await generateKeySetJson("ES256"),
    AUTH_SECRETS_KEY: SECRETS_KEY,
    APP_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: backing.databaseUrl,
    DATABASE_POOL_SIZE: String(POOL_SIZE),
    SMTP_URL: backing.smtpUrl,
    EMAIL_VERIFICATION: "off",
    AUTH_RATE_LIMIT: "off",
    LOG_LEVEL: "warn",
    NEXT_TELEMETRY_DISABLED: "1",
    // BENCH_NODE_OPTIONS: Node flags for the servers, e.g. a heap cap (BENCHMARKS.md, "Memory").
    ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
  };
}
