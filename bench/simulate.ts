/**
 * `npm run simulate`: a load simulation of the auth core on each storage engine of this machine
 * (docs/scaling.md). Thousands of sessions sign in (argon2id, the production parameters), then
 * for a few simulated hours every session calls an API once a simulated minute (the full check),
 * refreshes when its access token is due (every ACCESS_TOKEN_TTL), and each hour some sign out and
 * others sign in. Time is an injected clock, so hours take seconds; the work per operation is the
 * real work (the same core, the same SQL, a real PostgreSQL server with its revocation feed).
 * No HTTP: the HTTP layer's cost is in BENCHMARKS.md. Reports throughput, p50/p99 per operation
 * and what the database holds per session at the end.
 *
 *   npm run simulate -- [--sessions 2000] [--hours 4] [--concurrency 16] [--engine sqlite|postgres|both]
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { openStorage, type DatabaseConfig, type Storage } from "@/db";
import { createAuth } from "@/lib/auth";
import { manualClock, systemRandom } from "@/lib/auth/clock";
import { generateKeySetJson, loadKeySet } from "@/lib/auth/keys";
import { createSealer } from "@/lib/auth/sealed";
import { parseConfig } from "@/lib/config";
import { createDatabase, startCluster, type Cluster } from "../tests/pg-cluster";
import { arg } from "./lib/micro-harness";

const SESSIONS = Number(arg("sessions", "2000"));
const HOURS = Number(arg("hours", "4"));
const CONCURRENCY = Number(arg("concurrency", "16"));
const ENGINES = arg("engine", "both") === "both" ? ["sqlite", "postgres"] : [arg("engine", "sqlite")];
const MINUTE = 60_000;
const META = { ip: "127.0.0.1", userAgent: "simulate" };
const PASSWORD = "correct horse battery staple";

type Session = { email: string; access: string; refresh: string; refreshedAt: number };
type Op = "sign-in" | "api call" | "refresh" | "sign-out";

/** Runs `tasks` with at most `limit` in flight, timing each under its operation's name. */
async function run(tasks: [Op, () => Promise<void>][], limit: number, times: Map<Op, number[]>) {
  let next = 0;
  async function worker() {
    while (next < tasks.length) {
      const [op, task] = tasks[next++];
      const start = performance.now();
      await task();
      const list = times.get(op) ?? [];
      list.push(performance.now() - start);
      times.set(op, list);
    }
  }
  await Promise.all(Array.from({ length: limit }, worker));
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** Reads one number from the engine's database (the simulation's own connection). */
type Counter = (sql: string) => Promise<number>;

/** Bytes a table takes on disk, indexes included. */
const TABLE_BYTES = {
  sqlite: (table: string) =>
    `select sum(pgsize) as n from dbstat where name in (select name from sqlite_master where tbl_name = '${table}')`,
  postgres: (table: string) => `select pg_total_relation_size('${table}') as n`,
};

async function simulate(engine: "sqlite" | "postgres", database: DatabaseConfig, counter: Counter) {
  const storage: Storage = await openStorage(database, { server: true });
  await storage.revocations?.ready();
  const clock = manualClock(Date.now());
  const config = { ...parseConfig({ APP_URL: "http://127.0.0.1" }), emailVerification: "off" as const };
  const auth = createAuth({
    store: storage.store,
    keys: await loadKeySet(await generateKeySetJson("ES256")),
    config,
    sealer: createSealer([crypto.randomBytes(32)]),
    clock,
    random: systemRandom,
  });
  const times = new Map<Op, number[]>();
  const sessions: Session[] = [];
  const ttl = config.accessTokenTtl * 1000;

  const signIn = (email: string, register: boolean) => async () => {
    const result = register
      ? await auth.register({ email, password: PASSWORD }, META)
      : await auth.login({ email, password: PASSWORD }, META);
    if (!("access" in result)) throw new Error(`sign-in failed for ${email}`);
    sessions.push({ email, access: result.access.token, refresh: result.refresh.token, refreshedAt: clock.now() });
  };

  const started = performance.now();
  // Two devices per person: half the sessions are registrations, half second sign-ins.
  const people = Array.from({ length: Math.ceil(SESSIONS / 2) }, (_, i) => `person-${i}@example.com`);
  await run(
    people.map((email) => ["sign-in", signIn(email, true)] as [Op, () => Promise<void>]),
    CONCURRENCY,
    times,
  );
  await run(
    people
      .slice(0, SESSIONS - people.length)
      .map((email) => ["sign-in", signIn(email, false)] as [Op, () => Promise<void>]),
    CONCURRENCY,
    times,
  );

  const signInSeconds = (performance.now() - started) / 1000;
  const steadyStarted = performance.now();
  let steadyOperations = 0;
  for (let minute = 1; minute <= HOURS * 60; minute++) {
    clock.advance(MINUTE);
    const tasks: [Op, () => Promise<void>][] = [];
    for (const s of sessions) {
      // The browser refreshes a minute before the access token expires, then calls the API.
      if (clock.now() - s.refreshedAt >= ttl - MINUTE) {
        tasks.push([
          "refresh",
          async () => {
            const r = await auth.refresh(s.refresh, META);
            if (!r.ok || !r.refresh) throw new Error(`refresh failed: ${r.ok ? "grace" : r.error}`);
            s.access = r.access.token;
            s.refresh = r.refresh.token;
            s.refreshedAt = clock.now();
          },
        ]);
      } else {
        tasks.push([
          "api call",
          async () => {
            if (!(await auth.authenticate(s.access)).ok) throw new Error("the full check refused a live session");
          },
        ]);
      }
    }
    // Each hour 5% sign out and as many sign in again.
    if (minute % 60 === 0) {
      const leaving = sessions.splice(0, Math.ceil(sessions.length / 20));
      for (const s of leaving) {
        tasks.push(["sign-out", async () => void (await auth.logout({ access: s.access, refresh: s.refresh }, META))]);
        tasks.push(["sign-in", signIn(s.email, false)]);
      }
    }
    steadyOperations += tasks.length;
    await run(tasks, CONCURRENCY, times);
  }
  const steadySeconds = (performance.now() - steadyStarted) / 1000;

  const families = await counter("select count(*) as n from refresh_families");
  const live = await counter("select count(*) as n from refresh_families where revoked_at is null");
  const tokens = await counter("select count(*) as n from refresh_tokens");
  const events = await counter("select count(*) as n from auth_events");
  const bytes = async (table: string) => Math.round((await counter(TABLE_BYTES[engine](table))) / families);
  const report = {
    engine,
    sessions: sessions.length,
    simulatedHours: HOURS,
    signInPhase: { signIns: SESSIONS, seconds: Number(signInSeconds.toFixed(1)) },
    steadyPhase: {
      operations: steadyOperations,
      seconds: Number(steadySeconds.toFixed(1)),
      perSecond: Math.round(steadyOperations / steadySeconds),
    },
    operations: Object.fromEntries(
      [...times].map(([op, list]) => {
        const sorted = list.sort((a, b) => a - b);
        return [
          op,
          {
            count: sorted.length,
            p50ms: Number(quantile(sorted, 0.5).toFixed(2)),
            p99ms: Number(quantile(sorted, 0.99).toFixed(2)),
          },
        ];
      }),
    ),
    rows: {
      familiesPerLiveSession: Number((families / live).toFixed(2)),
      refreshTokenRows: tokens,
      auditRowsPerSession: Number((events / families).toFixed(2)),
      familyBytesPerSession: await bytes("refresh_families"),
      auditBytesPerSession: await bytes("auth_events"),
    },
    memoryCache: storage.revocations?.size(),
  };
  await storage.close();
  return report;
}

async function main() {
  const reports = [];
  for (const engine of ENGINES) {
    if (engine === "sqlite") {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "auth-simulate-"));
      const file = path.join(dir, "simulate.db");
      const storage = await openStorage({ engine: "sqlite", path: file });
      const sqlite = storage.sqlite!.$client;
      try {
        reports.push(
          await simulate("sqlite", { engine: "sqlite", path: file }, async (sql) =>
            Number((sqlite.prepare(sql).get() as { n: number }).n),
          ),
        );
      } finally {
        await storage.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    } else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "auth-simulate-pg-"));
      fs.chmodSync(dir, 0o755);
      let cluster: Cluster | undefined;
      try {
        cluster = await startCluster({ parent: dir });
        const url = await createDatabase(cluster.url);
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          reports.push(
            await simulate("postgres", { engine: "postgres", url, poolSize: 10 }, async (sql) =>
              Number((await client.query(sql)).rows[0].n),
            ),
          );
        } finally {
          await client.end();
        }
      } finally {
        cluster?.destroy();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  console.log(JSON.stringify(reports, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
