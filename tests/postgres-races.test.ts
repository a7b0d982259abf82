/**
 * PostgreSQL only: the storage contract's atomic units under real concurrency. Two instances are
 * two Storages (two pg Pools) on one database at READ COMMITTED, racing over real connections; a
 * third connection plays the other party where an interleaving must be forced.
 */
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import type { Storage } from "@/db";
import { openPostgresStorage } from "@/db/postgres";
import { createAuth } from "@/lib/auth";
import { manualClock, systemRandom } from "@/lib/auth/clock";
import { hashOpaqueToken as hashRefreshToken } from "@/lib/auth/opaque-token";
import { inspect } from "./db-inspect";
import { META, SECOND, TEST_ENGINE, TEST_LIFETIMES, testKeys, testSealer } from "./helpers";
import { createDatabase } from "./pg-cluster";

/** Two instances on one fresh database, each auth core with its own pool; one shared clock. */
async function twoInstances() {
  const url = await createDatabase(inject("pgBaseUrl"));
  const [a, b] = await Promise.all([
    openPostgresStorage({ url, poolSize: 10 }),
    openPostgresStorage({ url, poolSize: 10 }),
  ]);
  const clock = manualClock();
  const keys = await testKeys();
  const core = (storage: Storage) =>
    createAuth({
      store: storage.store,
      keys,
      config: TEST_LIFETIMES,
      clock,
      random: systemRandom,
      sealer: testSealer,
    });
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  return {
    url,
    a,
    b,
    one: core(a),
    two: core(b),
    clock,
    admin,
    db: inspect(a, { engine: "postgres", url, poolSize: 1 }),
    async close() {
      await Promise.all([a.close(), b.close(), admin.end()]);
    },
  };
}

async function register(auth: ReturnType<typeof createAuth>, email = `race-${Math.random()}@example.com`) {
  const session = await auth.register({ email, password: "correct horse battery" }, META);
  if (!session.ok || !("access" in session)) throw new Error("register failed");
  return session;
}

/** Resolves once some backend of this database waits on a row lock. */
async function someoneWaitsOnALock(admin: pg.Client) {
  for (let i = 0; i < 200; i++) {
    const { rows } = await admin.query(
      "select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid where not l.granted and a.datname = current_database()",
    );
    if (rows[0].n > 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("nobody waited on a lock");
}

describe.skipIf(TEST_ENGINE !== "postgres")("PostgreSQL: races over real connections", () => {
  it("10 parallel rotations of one token across two instances: exactly one successor, nobody signed out", async () => {
    const t = await twoInstances();
    try {
      for (let round = 0; round < 5; round++) {
        const session = await register(t.one);
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 ? t.two : t.one).refresh(session.refresh.token, META)),
        );
        expect(results.every((r) => r.ok)).toBe(true);
        expect(results.filter((r) => r.ok && r.refresh)).toHaveLength(1);
        const sid = session.access.claims.sid;
        // One successor: the family's live token is the one handed out, one generation on.
        const family = await t.a.store.familyById(sid);
        const minted = results.find((r) => r.ok && r.refresh);
        expect(family).toMatchObject({ revokedAt: null, generation: 1 });
        expect(family?.tokenHash).toBe(hashRefreshToken(minted!.ok ? minted!.refresh!.token : ""));
      }
    } finally {
      await t.close();
    }
  });

  it("a lost-answer recovery racing a rotation of the successor never forks the family", async () => {
    const t = await twoInstances();
    try {
      for (let round = 0; round < 10; round++) {
        const session = await register(t.one);
        const first = await t.one.refresh(session.refresh.token, META);
        if (!first.ok || !first.refresh) throw new Error();
        // The answer to the first rotation was "lost" as far as the old token's holder knows;
        // past the grace window it comes back while the successor is being rotated elsewhere.
        t.clock.advance(11 * SECOND);
        // Sent in either order on alternate rounds: the first to lock the family wins the race.
        const recover = () => t.one.refresh(session.refresh.token, META);
        const rotate = () => t.two.refresh(first.refresh!.token, META);
        const [recovered, rotated] =
          round % 2 ? (await Promise.all([rotate(), recover()])).reverse() : await Promise.all([recover(), rotate()]);
        const minted = [recovered, rotated].filter((r) => r.ok && r.refresh);
        expect(minted.length, JSON.stringify([recovered, rotated])).toBeLessThanOrEqual(1);
        const sid = session.access.claims.sid;
        const family = await t.a.store.familyById(sid);
        if (family?.revokedAt === null) {
          // One winner: the family's one live token is the one handed out.
          expect(minted).toHaveLength(1);
          expect(family.tokenHash).toBe(hashRefreshToken(minted[0].ok ? minted[0].refresh!.token : ""));
        } else {
          // Or theft detected: the whole family is over, whatever was minted is dead.
          expect(family?.revokedReason).toBe("reuse_detected");
          for (const r of minted)
            if (r.ok && r.refresh) expect((await t.two.refresh(r.refresh.token, META)).ok).toBe(false);
        }
      }
    } finally {
      await t.close();
    }
  });

  it("the family's lock: a recovery that waits while the live token is rotated elsewhere reads again and sees theft", async () => {
    const t = await twoInstances();
    try {
      const session = await register(t.one);
      const first = await t.one.refresh(session.refresh.token, META);
      if (!first.ok || !first.refresh) throw new Error();
      t.clock.advance(11 * SECOND);
      const sid = session.access.claims.sid;
      // Another party is rotating the live token right now (the family's row locked, not committed).
      await t.admin.query("begin");
      await t.admin.query(
        "update refresh_families set previous_generation = generation, previous_token_hash = token_hash, previous_used_at = $1, generation = generation + 1, token_hash = 'rotated-elsewhere' where id = $2",
        [t.clock.now(), sid],
      );
      const recovery = t.one.refresh(session.refresh.token, META);
      // The recovery read the old token as the previous one (the update is not committed) and now
      // waits on the family's row: SELECT … FOR UPDATE.
      await someoneWaitsOnALock(t.admin);
      await t.admin.query("commit");
      // It reads the row again at its committed version: the old token is two generations back, so
      // the rules call it theft. Nothing of a recovery was written.
      expect(await recovery).toEqual({ ok: false, error: "reuse_detected" });
      expect((await t.a.store.familyById(sid))?.revokedReason).toBe("reuse_detected");
      expect(await t.db.count("auth_events", { type: "refresh_recovered" })).toBe(0);
    } finally {
      await t.close();
    }
  });

  it("the plain rotation's gate: one that waits behind another rotation of the same token answers like a second tab", async () => {
    const t = await twoInstances();
    try {
      const session = await register(t.one);
      const sid = session.access.claims.sid;
      await t.admin.query("begin");
      await t.admin.query(
        "update refresh_families set previous_generation = generation, previous_token_hash = token_hash, previous_used_at = $1, generation = generation + 1, token_hash = 'rotated-elsewhere', last_used_at = $1 where id = $2",
        [t.clock.now(), sid],
      );
      // UPDATE … WHERE id = $1 AND token_hash = $2: waits on the row, then re-checks it.
      const rotation = t.one.refresh(session.refresh.token, META);
      await someoneWaitsOnALock(t.admin);
      await t.admin.query("commit");
      const result = await rotation;
      // The gate changed no row; read again, the token is the previous one inside the grace window.
      expect(result.ok && result.refresh).toBe(null);
      expect((await t.a.store.familyById(sid))?.tokenHash).toBe("rotated-elsewhere");
    } finally {
      await t.close();
    }
  });

  it("a password change racing rotations of the same session leaves exactly one live token: the change's", async () => {
    const t = await twoInstances();
    try {
      for (let round = 0; round < 6; round++) {
        const session = await register(t.one);
        const sid = session.access.claims.sid;
        const now = t.clock.now();
        const changed = () =>
          t.b.store.changePassword({
            userId: session.user.id,
            familyId: sid,
            passwordHash: "new-hash",
            now,
            issueToken: () => `changed-hash-${round}`,
            denyJti: { jti: session.access.claims.jti, expiresAt: now + 60_000 },
            event: () => ({
              type: "password_changed",
              at: now,
              userId: null,
              familyId: sid,
              ip: null,
              userAgent: null,
              detail: "{}",
            }),
            mail: {
              id: `mail-${round}`,
              kind: "password_changed",
              recipientKey: "k",
              payload: "sealed",
              now,
              budget: null,
            },
          });
        const rotations = () =>
          Promise.all(Array.from({ length: 4 }, () => t.one.refresh(session.refresh.token, META)));
        // Concurrently on even rounds (whoever locks the family first goes first), the change
        // strictly first on odd ones.
        const [change, results] =
          round % 2 ? [await changed(), await rotations()] : await Promise.all([changed(), rotations()]);
        expect(change?.sessionsEnded).toBe(0);
        expect(results.every((r) => r.ok)).toBe(true);
        // A rotation that committed first had its successor retired by the change; one that came
        // after found the token retired (inside the grace window: an access token, no refresh).
        expect((await t.a.store.familyById(sid))?.tokenHash).toBe(`changed-hash-${round}`);
      }
    } finally {
      await t.close();
    }
  });

  it("concurrent registrations of one email across two instances: one winner, the others email_taken", async () => {
    const t = await twoInstances();
    try {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? t.b : t.a).store.insertUser({
            id: `user-${i}`,
            email: "same@example.com",
            name: null,
            passwordHash: "h",
            role: "user",
            createdAt: 0,
          }),
        ),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok)).toEqual(Array(9).fill({ ok: false, error: "email_taken" }));
      expect(await t.db.count("users")).toBe(1);
    } finally {
      await t.close();
    }
  });

  it("prune in two instances at once: one prunes, the other gets null; a held lock means null", async () => {
    const t = await twoInstances();
    try {
      const cutoffs = {
        familiesDeadBefore: 0,
        familiesIdleBefore: 0,
        jtisExpiredBefore: 0,
        eventsBefore: 1000,
        emailTokensBefore: 1000,
        dpopProofsBefore: 1000,
        mailBefore: 1000,
        pendingBefore: 1000,
        authorizationCodesBefore: 1000,
        batchSize: 100,
      };
      await t.admin.query(
        "insert into auth_events (type, at, detail) select 'sign_in_failed', 0, '{}' from generate_series(1, 20000)",
      );
      const [x, y] = await Promise.all([t.a.store.prune(cutoffs), t.b.store.prune(cutoffs)]);
      expect([x, y].filter((c) => c === null)).toHaveLength(1);
      expect((x ?? y)?.events).toBe(20000);
      expect(await t.db.count("auth_events")).toBe(0);

      // While another session holds the prune lock, nobody prunes; once released, one does again.
      await t.admin.query("select pg_advisory_lock(x'61757468'::int, 2)");
      expect(await t.a.store.prune(cutoffs)).toBeNull();
      await t.admin.query("select pg_advisory_unlock(x'61757468'::int, 2)");
      expect(await t.a.store.prune(cutoffs)).toEqual({
        families: 0,
        jtis: 0,
        events: 0,
        emailTokens: 0,
        dpopProofs: 0,
        mail: 0,
        pending: 0,
        authorizationCodes: 0,
      });
    } finally {
      await t.close();
    }
  });
});
