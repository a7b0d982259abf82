/**
 * PostgreSQL only: start-up and faults. Migrations are idempotent and instances starting together
 * on an empty database both come up (the advisory lock); a stopped server makes every call fail
 * with StorageUnavailableError (never the password or the URL), and the same Storage works again
 * once the server is back, without being reopened; a dropped connection is simply replaced.
 */
import { getTableName, is } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import pg from "pg";
import { describe, expect, inject, it, onTestFinished } from "vitest";
import { openPostgresStorage } from "@/db/postgres";
import { migratePostgres } from "@/db/postgres/client";
import * as schema from "@/db/postgres/schema";
import { createAuth } from "@/lib/auth";
import { manualClock, systemRandom } from "@/lib/auth/clock";
import { StorageUnavailableError } from "@/lib/auth/store";
import { META, TEST_ENGINE, TEST_LIFETIMES, testKeys, testSealer } from "./helpers";
import { createDatabase, startCluster } from "./pg-cluster";

/** Every table the schema declares: the migrations must make exactly these. */
const APP_TABLES = (Object.values(schema) as unknown[])
  .flatMap((value) => (is(value, PgTable) ? [getTableName(value)] : []))
  .sort();

async function query(url: string, text: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}

describe.skipIf(TEST_ENGINE !== "postgres")("PostgreSQL: start-up", () => {
  it("migrations are idempotent: the tables once, one row per migration, however often they run", async () => {
    const url = await createDatabase(inject("pgBaseUrl"));
    const storage = await openPostgresStorage({ url, poolSize: 2 });
    await (await openPostgresStorage({ url, poolSize: 2 })).close();
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    await migratePostgres(pool);
    await pool.end();
    const tables = await query(
      url,
      "select table_name from information_schema.tables where table_schema = 'public' order by 1",
    );
    expect(tables.map((t) => t.table_name)).toEqual(APP_TABLES);
    const applied = await query(url, "select count(*)::int as n from drizzle.__drizzle_migrations");
    const journal = (await import("@/db/postgres/migrations/meta/_journal.json")).entries;
    expect(applied[0].n).toBe(journal.length);
    expect(await storage.store.userCount()).toBe(0);
    await storage.close();
  });

  it("instances starting together on an empty database all come up (one migrates, the others wait)", async () => {
    const url = await createDatabase(inject("pgBaseUrl"));
    const opened = await Promise.all(Array.from({ length: 4 }, () => openPostgresStorage({ url, poolSize: 2 })));
    for (const storage of opened) expect(await storage.store.userCount()).toBe(0);
    const journal = (await import("@/db/postgres/migrations/meta/_journal.json")).entries;
    expect((await query(url, "select count(*)::int as n from drizzle.__drizzle_migrations"))[0].n).toBe(journal.length);
    await Promise.all(opened.map((s) => s.close()));
  });

  it("an unreachable server at start-up is StorageUnavailableError, without the password", async () => {
    const error = await openPostgresStorage({
      url: "postgres://app:hunter2-secret@127.0.0.1:1/auth",
      poolSize: 1,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect(String((error as Error).message)).not.toMatch(/hunter2|postgres:\/\//);
  });
});

describe.skipIf(TEST_ENGINE !== "postgres")("PostgreSQL: faults", () => {
  it("a stopped server: every call rejects with StorageUnavailableError; after a restart the same Storage works", async () => {
    // A cluster of its own: stopping the run's shared one would fail the other files.
    const cluster = await startCluster({ parent: inject("pgRunDir") });
    const url = await createDatabase(cluster.url);
    const storage = await openPostgresStorage({ url, poolSize: 4, connectionTimeoutMillis: 2000 });
    // Runs even if the test fails or times out: a hung close must not leave the cluster running.
    onTestFinished(async () => {
      await Promise.race([storage.close().catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
      cluster.destroy();
    });
    const clock = manualClock();
    const auth = createAuth({
      store: storage.store,
      keys: await testKeys(),
      config: TEST_LIFETIMES,
      clock,
      random: systemRandom,
      sealer: testSealer,
    });
    const session = await auth.register({ email: "restart@example.com", password: "correct horse battery" }, META);
    if (!session.ok || !("access" in session)) throw new Error();
    const limiter = storage.createLimiter({ keyPrefix: "restart", points: 100, duration: 60 });
    await Promise.all([storage.store.userCount(), storage.store.userCount(), limiter.consume("k")]);

    cluster.stop("fast");
    const { store } = storage;
    const calls: [string, () => Promise<unknown>][] = [
      ["userCount", () => store.userCount()],
      ["userByEmail", () => store.userByEmail("restart@example.com")],
      ["rotate", () => auth.refresh(session.refresh.token, META)],
      [
        "insertUser",
        () =>
          store.insertUser({
            id: "x",
            email: "x@example.com",
            name: null,
            passwordHash: "h",
            role: "user",
            createdAt: 0,
          }),
      ],
      ["endUserFamilies", () => auth.logoutEverywhere(session.access.claims, META)],
      [
        "prune",
        () =>
          store.prune({
            familiesDeadBefore: 0,
            familiesIdleBefore: 0,
            jtisExpiredBefore: 0,
            eventsBefore: 0,
            emailTokensBefore: 0,
            dpopProofsBefore: 0,
            mailBefore: 0,
            pendingBefore: 0,
            authorizationCodesBefore: 0,
            batchSize: 10,
          }),
      ],
      ["rate limit", () => limiter.consume("k")],
    ];
    for (const [name, call] of calls) {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, name).toBeInstanceOf(StorageUnavailableError);
      const message = (error as Error).message;
      expect(message, name).not.toContain(cluster.password);
      expect(message, name).not.toMatch(/postgres:\/\/|Failed query|params/);
    }

    cluster.start();
    const restarted = Date.now();
    let back = false;
    while (!back && Date.now() - restarted < 10_000) {
      try {
        await store.userCount();
        back = true;
      } catch (error) {
        expect(error).toBeInstanceOf(StorageUnavailableError);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(back).toBe(true);
    expect(Date.now() - restarted).toBeLessThan(5000);
    const rotated = await auth.refresh(session.refresh.token, META);
    expect(rotated.ok && rotated.refresh !== null).toBe(true);
    expect((await limiter.consume("k")).consumedPoints).toBe(2);
  });

  it("connections dropped by the server (pg_terminate_backend) are replaced: the next calls just work", async () => {
    const url = await createDatabase(inject("pgBaseUrl"));
    const storage = await openPostgresStorage({ url, poolSize: 4 });
    try {
      await Promise.all(Array.from({ length: 4 }, () => storage.store.userCount()));
      const killed = await query(
        url,
        "select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = current_database() and application_name = 'auth-starter'",
      );
      expect(killed[0].n).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 200));
      for (let i = 0; i < 8; i++) expect(await storage.store.userCount()).toBe(0);
    } finally {
      await storage.close();
    }
  });
});
