/**
 * PostgreSQL only: the full check answered from memory, kept current by the database's revocation
 * notices (docs/decisions/pushed-revocation.md). Two servers are two Storages opened as a server
 * opens them (each with its own pool and LISTEN connection) on one database.
 */
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import type { Storage } from "@/db";
import { openPostgresStorage } from "@/db/postgres";
import { createAuth } from "@/lib/auth";
import { systemClock, systemRandom } from "@/lib/auth/clock";
import { META, TEST_ENGINE, TEST_LIFETIMES, testKeys, testSealer } from "./helpers";
import { createDatabase } from "./pg-cluster";

async function server(url: string, options: { feed: boolean; poolSize?: number }) {
  const storage = await openPostgresStorage({ url, poolSize: options.poolSize ?? 4, revocationFeed: options.feed });
  await storage.revocations?.ready();
  const auth = createAuth({
    store: storage.store,
    keys: await testKeys(),
    config: TEST_LIFETIMES,
    clock: systemClock,
    random: systemRandom,
    sealer: testSealer,
  });
  return { storage, auth };
}

async function signedIn(auth: ReturnType<typeof createAuth>) {
  const session = await auth.register(
    { email: `push-${Math.random()}@example.com`, password: "correct horse battery" },
    META,
  );
  if (!session.ok || !("access" in session)) throw new Error("register failed");
  return session;
}

/** Scans (sequential and index) of the tables the full check reads, from the server's statistics. */
async function scans(admin: pg.Client) {
  await admin.query("select pg_stat_clear_snapshot()");
  const { rows } = await admin.query<{ relname: string; n: string }>(
    `select relname, seq_scan + coalesce(idx_scan, 0) as n from pg_stat_user_tables
     where relname in ('users', 'refresh_families', 'revoked_jtis')`,
  );
  return Object.fromEntries(rows.map((r) => [r.relname, Number(r.n)]));
}

/**
 * A backend reports its table statistics when it goes idle at least a second after its last
 * report: wait, then one read of `users` on the storage's single connection makes it report
 * everything so far (that read included). The wait also outlasts the feed's first heartbeat, which
 * reports the feed's own start-up read of revoked_jtis.
 */
async function flushStatistics(storage: Storage) {
  await new Promise((r) => setTimeout(r, 2_300));
  await storage.store.userCount();
  await new Promise((r) => setTimeout(r, 200));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000) {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error("timed out");
    await sleep(5);
  }
}

describe.skipIf(TEST_ENGINE !== "postgres")("PostgreSQL: revocation pushed, not polled", () => {
  it("1,000 full checks with nothing revoked read no table (server statistics); without the feed every one does", async () => {
    const url = await createDatabase(inject("pgBaseUrl"));
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      for (const feed of [true, false]) {
        const { storage, auth } = await server(url, { feed, poolSize: 1 });
        try {
          const session = await signedIn(auth);
          expect((await auth.authenticate(session.access.token)).ok).toBe(true);
          await flushStatistics(storage);
          const before = await scans(admin);
          for (let i = 0; i < 1_000; i++) {
            const check = await auth.authenticate(session.access.token);
            if (!check.ok) throw new Error(`check ${i} failed`);
          }
          await flushStatistics(storage);
          const after = await scans(admin);
          const read = (table: string) => after[table] - before[table];
          if (feed) {
            expect(read("refresh_families")).toBe(0);
            expect(read("revoked_jtis")).toBe(0);
            // Only the flush's own read of users.
            expect(read("users")).toBe(1);
          } else {
            // The same measurement sees every read when there is no feed: it can fail.
            expect(read("refresh_families")).toBeGreaterThanOrEqual(1_000);
            expect(read("users")).toBeGreaterThanOrEqual(1_000);
          }
        } finally {
          await storage.close();
        }
      }
    } finally {
      await admin.end();
    }
  });

  it("a sign-out on server A is refused on server B within 100 ms, and on A (from memory) at once", async () => {
    const url = await createDatabase(inject("pgBaseUrl"));
    const a = await server(url, { feed: true });
    const b = await server(url, { feed: true });
    try {
      const delays: number[] = [];
      for (let round = 0; round < 5; round++) {
        const session = await signedIn(a.auth);
        // Twice on each: the second answer comes from memory.
        for (const s of [a, b, a, b]) expect((await s.auth.authenticate(session.access.token)).ok).toBe(true);
        expect(a.storage.revocations!.size().families).toBeGreaterThan(0);
        await a.auth.logout({ access: session.access.token, refresh: session.refresh.token }, META);
        const signedOut = Date.now();
        expect((await a.auth.authenticate(session.access.token)).ok).toBe(false);
        await until(async () => !(await b.auth.authenticate(session.access.token)).ok, 2_000);
        delays.push(Date.now() - signedOut);
      }
      expect(Math.max(...delays)).toBeLessThan(100);
    } finally {
      await Promise.all([a.storage.close(), b.storage.close()]);
    }
  });

  it("a change made outside any server (a user disabled by SQL, as a tool on another machine would) and a password change reach both", async () => {
    const url = await createDatabase(inject("pgBaseUrl"));
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const a = await server(url, { feed: true });
    const b = await server(url, { feed: true });
    try {
      const one = await signedIn(a.auth);
      for (const s of [a, b]) expect((await s.auth.authenticate(one.access.token)).ok).toBe(true);
      await admin.query("update users set disabled_at = $1 where id = $2", [Date.now(), one.user.id]);
      for (const s of [a, b]) await until(async () => !(await s.auth.authenticate(one.access.token)).ok, 2_000);
      // A password change on A: the old access token's version is stale everywhere.
      const two = await signedIn(a.auth);
      expect((await b.auth.authenticate(two.access.token)).ok).toBe(true);
      const changed = await a.auth.changePassword(
        two.access.claims,
        { currentPassword: "correct horse battery", newPassword: "another horse battery" },
        META,
      );
      expect(changed.ok).toBe(true);
      await until(async () => !(await b.auth.authenticate(two.access.token)).ok, 2_000);
    } finally {
      await Promise.all([a.storage.close(), b.storage.close(), admin.end()]);
    }
  });

  it("with the notification connection cut, the check reads the database and stays correct; the feed comes back", async () => {
    const url = await createDatabase(inject("pgBaseUrl"));
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const a = await server(url, { feed: true });
    const b = await server(url, { feed: true });
    try {
      const session = await signedIn(a.auth);
      expect((await b.auth.authenticate(session.access.token)).ok).toBe(true);
      // Cut every LISTEN connection of this database.
      await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'auth-starter revocations' and datname = current_database()",
      );
      await until(() => !b.storage.revocations!.isLive());
      // No notice can arrive now; B must not answer from memory.
      await a.auth.logout({ access: session.access.token, refresh: session.refresh.token }, META);
      expect((await b.auth.authenticate(session.access.token)).ok).toBe(false);
      // It reconnects by itself, and notices flow again.
      await b.storage.revocations!.ready();
      const again = await signedIn(a.auth);
      expect((await b.auth.authenticate(again.access.token)).ok).toBe(true);
      await a.auth.logout({ access: again.access.token }, META);
      await until(async () => !(await b.auth.authenticate(again.access.token)).ok, 2_000);
    } finally {
      await Promise.all([a.storage.close(), b.storage.close(), admin.end()]);
    }
  });
});
