/**
 * In-process micro benchmarks (no server). Run by bench/run.ts as a child process
 * (`node --expose-gc --import tsx bench/micro.ts ...`), or on its own:
 *
 *   node --expose-gc --import tsx bench/micro.ts timing [--rounds 5] [--out file.json]
 *   node --expose-gc --import tsx bench/micro.ts memory --capacity 100000 --count 100000
 *
 * timing: the project's verifyAccessToken vs raw node:crypto ES256 verify of the same token (and
 * raw WebCrypto, and the verified-token cache hit), and the refresh-rotation transaction through
 * the project's Store vs the same SQL as raw better-sqlite3 prepared statements. Interleaved
 * rounds, the order rotated every round, per-op latencies timed with process.hrtime.bigint().
 * memory: heap/RSS growth after verifying and caching N distinct tokens.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { migrateDatabase, openDatabase } from "@/db/sqlite/client";
import { createAuth } from "@/lib/auth";
import { ACCESS_COOKIE } from "@/lib/server/cookies";
import { systemClock, systemRandom } from "@/lib/auth/clock";
import { generateKeySetJson, loadKeySet, type KeySet } from "@/lib/auth/keys";
import { hashRefreshToken, newRefreshToken } from "@/lib/auth/refresh-token";
import { createStore, type Store } from "@/db/sqlite/store";
import { createVerifiedTokenCache, signAccessToken, verifyAccessToken, type TokenSettings } from "@/lib/auth/access-token";
import { MICRO, MICRO_RATIOS } from "./lib/names";
import { median, percentile } from "./lib/stats";

export type MicroRow = { name: string; opsPerSec: number; p50Ms: number; p99Ms: number; cpuMsPerOp: number; rounds: number };
export type MicroResult = {
  rows: MicroRow[];
  /** Per-round throughput ratios a/b (ops/s), keyed "a/b". */
  ratios: Record<string, number[]>;
  /** Per-round CPU ratios (CPU per op of b / CPU per op of a: above 1 means a is cheaper), keyed "a/b". */
  cpuRatios: Record<string, number[]>;
};
export type MemoryResult = {
  capacity: number;
  count: number;
  cached: number;
  heapMB: number;
  rssMB: number;
  externalMB: number;
  bytesPerEntry: number;
  seconds: number;
};

const SETTINGS: TokenSettings = { issuer: "http://127.0.0.1:1", audience: "http://127.0.0.1:1", accessTokenTtl: 900 };

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

type Case = {
  name: string;
  /** Timed units per sample; each unit runs `batch` operations. */
  units: number;
  batch: number;
  async: boolean;
  /** Untimed, before every sample (e.g. precomputed random inputs). */
  prepare?: (ops: number) => unknown;
  op: (i: number) => unknown;
};

type Sample = { opsPerSec: number; p50Ms: number; p99Ms: number; cpuMsPerOp: number };

async function sample(c: Case, scale = 1): Promise<Sample> {
  const units = Math.max(10, Math.round(c.units * scale));
  await c.prepare?.(units * c.batch);
  // Collect the garbage the previous case (or prepare) left, untimed, so it is not billed here.
  (globalThis as { gc?: () => void }).gc?.();
  const perOp = new Float64Array(units);
  let total = 0n;
  let i = 0;
  const cpu0 = process.cpuUsage(); // all threads: the libuv pool's crypto work counts too
  for (let u = 0; u < units; u++) {
    const t0 = process.hrtime.bigint();
    if (c.async) {
      for (let b = 0; b < c.batch; b++) await c.op(i++);
    } else {
      for (let b = 0; b < c.batch; b++) c.op(i++);
    }
    const dt = process.hrtime.bigint() - t0;
    total += dt;
    perOp[u] = Number(dt) / 1e6 / c.batch;
  }
  const cpu = process.cpuUsage(cpu0);
  const ops = units * c.batch;
  return {
    opsPerSec: ops / (Number(total) / 1e9),
    p50Ms: percentile(perOp, 50),
    p99Ms: percentile(perOp, 99),
    cpuMsPerOp: (cpu.user + cpu.system) / 1000 / ops,
  };
}

async function runRounds(cases: Case[], rounds: number, pairs: [string, string][]): Promise<MicroResult> {
  // Warm-up: JIT, statement caches, the thread pool.
  for (const c of cases) await sample(c, 0.3);
  const per: Record<string, Sample[]> = {};
  const ratios: Record<string, number[]> = {};
  const cpuRatios: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    // Rotated every round and reversed every other round, so no case always follows the same one.
    const order = cases.map((_, i) => cases[(i + r) % cases.length]);
    if (r % 2) order.reverse();
    const thisRound: Record<string, Sample> = {};
    for (const c of order) {
      const s = await sample(c);
      (per[c.name] ??= []).push(s);
      thisRound[c.name] = s;
    }
    for (const [a, b] of pairs) {
      (ratios[`${a}/${b}`] ??= []).push(thisRound[a].opsPerSec / thisRound[b].opsPerSec);
      (cpuRatios[`${a}/${b}`] ??= []).push(thisRound[b].cpuMsPerOp / thisRound[a].cpuMsPerOp);
    }
  }
  const rows = cases.map((c) => ({
    name: c.name,
    opsPerSec: median(per[c.name].map((s) => s.opsPerSec)),
    p50Ms: median(per[c.name].map((s) => s.p50Ms)),
    p99Ms: median(per[c.name].map((s) => s.p99Ms)),
    cpuMsPerOp: median(per[c.name].map((s) => s.cpuMsPerOp)),
    rounds,
  }));
  return { rows, ratios, cpuRatios };
}

/* ------------------------------------------------------------------------------------------ */
/* token verification                                                                          */

async function verifyCases(keys: KeySet): Promise<Case[]> {
  const now = Date.now();
  const { token } = await signAccessToken(
    { userId: crypto.randomUUID(), familyId: crypto.randomUUID(), tokenVersion: 0, role: "user" },
    keys,
    SETTINGS,
    now,
    crypto.randomUUID(),
  );
  const kid = keys.signing.kid;
  const cryptoKey = keys.verifying.get(kid)!.key;
  const keyObject = crypto.KeyObject.from(cryptoKey);
  const dot = token.lastIndexOf(".");

  // Sanity: every variant accepts the token, or the comparison is meaningless.
  const check = await verifyAccessToken(token, keys, SETTINGS, now);
  if (!check.ok) throw new Error(`verifyAccessToken refused the bench token: ${check.reason}`);
  const rawOk = crypto.verify("sha256", Buffer.from(token.slice(0, dot)), { key: keyObject, dsaEncoding: "ieee-p1363" }, Buffer.from(token.slice(dot + 1), "base64url"));
  if (!rawOk) throw new Error("raw verify refused the bench token");

  const cache = createVerifiedTokenCache();
  cache.set(token, check.claims);

  const subject = { userId: crypto.randomUUID(), familyId: crypto.randomUUID(), tokenVersion: 0, role: "user" as const };
  const signingKey = crypto.KeyObject.from(keys.signing.key);
  const [headerSegment] = token.split(".", 1);
  const claimsTemplate = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()) as Record<string, unknown>;

  return [
    {
      name: MICRO.signJose,
      units: 1000,
      batch: 1,
      async: true,
      op: () => signAccessToken(subject, keys, SETTINGS, now, crypto.randomUUID()),
    },
    {
      // The same header and claims serialised by hand and signed with synchronous node:crypto:
      // what a sign without jose's WebCrypto round trip (libuv thread pool) would cost.
      name: MICRO.signRaw,
      units: 1000,
      batch: 1,
      async: false,
      op: () => {
        const payload = JSON.stringify({ ...claimsTemplate, jti: crypto.randomUUID() });
        const input = `${headerSegment}.${Buffer.from(payload).toString("base64url")}`;
        return `${input}.${crypto.sign("sha256", Buffer.from(input), { key: signingKey, dsaEncoding: "ieee-p1363" }).toString("base64url")}`;
      },
    },
    {
      name: MICRO.verifyJose,
      units: 1000,
      batch: 1,
      async: true,
      op: () => verifyAccessToken(token, keys, SETTINGS, now),
    },
    {
      name: MICRO.verifyRaw,
      units: 1000,
      batch: 1,
      async: false,
      op: () =>
        crypto.verify(
          "sha256",
          Buffer.from(token.slice(0, dot)),
          { key: keyObject, dsaEncoding: "ieee-p1363" },
          Buffer.from(token.slice(dot + 1), "base64url"),
        ),
    },
    {
      name: MICRO.verifySubtle,
      units: 1000,
      batch: 1,
      async: true,
      op: () =>
        crypto.subtle.verify(
          { name: "ECDSA", hash: "SHA-256" },
          cryptoKey,
          Buffer.from(token.slice(dot + 1), "base64url"),
          Buffer.from(token.slice(0, dot)),
        ),
    },
    {
      name: MICRO.cacheHit,
      units: 1500,
      batch: 100,
      async: false,
      op: () => cache.get(token, now),
    },
  ];
}

/* ------------------------------------------------------------------------------------------ */
/* the proxy itself: guard on (cache hit, and first sight of a token) vs pass-through          */

async function proxyCases(): Promise<Case[]> {
  const origin = "http://127.0.0.1:3999";
  const keysJson = await generateKeySetJson("ES256");
  // proxy.ts reads its configuration from the environment on first use.
  Object.assign(process.env, { APP_URL: origin, AUTH_SIGNING_KEYS: keysJson, LOG_LEVEL: "warn" });
  delete process.env.BENCH_PROXY_PASS_THROUGH;
  const { proxy } = await import("@/proxy");
  const { NextRequest } = await import("next/server");
  const keys = await loadKeySet(keysJson);
  const settings = { issuer: origin, audience: origin, accessTokenTtl: 900 };
  const mint = async () =>
    (
      await signAccessToken(
        { userId: crypto.randomUUID(), familyId: crypto.randomUUID(), tokenVersion: 0, role: "user" },
        keys,
        settings,
        Date.now(),
        crypto.randomUUID(),
      )
    ).token;
  const url = `${origin}/account/bench`;
  const request = (token: string) => new NextRequest(url, { headers: { cookie: `${ACCESS_COOKIE}=${token}`, accept: "text/html" } });
  const token = await mint();

  const passes = async (passThrough: boolean, t: string) => {
    if (passThrough) process.env.BENCH_PROXY_PASS_THROUGH = "1";
    else delete process.env.BENCH_PROXY_PASS_THROUGH;
    const res = await proxy(request(t));
    if (res.status !== 200) throw new Error(`proxy answered ${res.status} (pass-through ${passThrough})`);
  };
  await passes(false, token); // fills the proxy's cache with this token
  await passes(true, token);

  let fresh: string[] = [];
  return [
    {
      name: MICRO.proxyGuardHit,
      units: 1500,
      batch: 1,
      async: true,
      prepare: () => delete process.env.BENCH_PROXY_PASS_THROUGH,
      op: () => proxy(request(token)),
    },
    {
      name: MICRO.proxyPassThrough,
      units: 1500,
      batch: 1,
      async: true,
      prepare: () => (process.env.BENCH_PROXY_PASS_THROUGH = "1"),
      op: () => proxy(request(token)),
    },
    {
      name: MICRO.proxyGuardMiss,
      units: 500,
      batch: 1,
      async: true,
      prepare: async (n) => {
        delete process.env.BENCH_PROXY_PASS_THROUGH;
        fresh = await Promise.all(Array.from({ length: n }, mint));
      },
      op: (i) => proxy(request(fresh[i])),
    },
  ];
}

/* ------------------------------------------------------------------------------------------ */
/* refresh rotation: what decideRefresh does on the "rotated" path                            */

const META = { ip: "127.0.0.1", userAgent: "bench" };

type Inputs = { hashes: string[]; ids: string[] };
function makeInputs(n: number): Inputs {
  const hashes: string[] = new Array(n);
  const ids: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    hashes[i] = hashRefreshToken(newRefreshToken(systemRandom));
    ids[i] = crypto.randomUUID();
  }
  return { hashes, ids };
}

function seedFamily(store: Store, userId: string): { familyId: string; hash: string } {
  const now = Date.now();
  const familyId = crypto.randomUUID();
  const hash = hashRefreshToken(newRefreshToken(systemRandom));
  store.insertFamily({ id: familyId, userId, now, absoluteExpiresAt: now + 30 * 86400_000, userAgent: "bench", ip: "127.0.0.1" });
  store.insertToken({ id: crypto.randomUUID(), familyId, parentId: null, generation: 0, tokenHash: hash, now, expiresAt: now + 7 * 86400_000 });
  return { familyId, hash };
}

async function rotationCases(): Promise<{ cases: Case[]; cleanup: () => void }> {
  // On tmpfs when there is one: the comparison is about the code path, and the disk's dirty-page
  // writeback stalls (tens of ms, at random) would otherwise decide it.
  const base = fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir();
  const dir = fs.mkdtempSync(path.join(base, "auth-bench-micro-"));
  const db = openDatabase(path.join(dir, "micro.db"));
  migrateDatabase(db);
  const store = createStore(db);
  const sqlite = db.$client;
  // No automatic checkpoints inside the timed loops: a checkpoint fsyncs, blocking for
  // milliseconds wherever it lands (every ~150 rotations), which is I/O noise, not the code path
  // being compared. Each sample starts from an empty WAL instead (see checkpoint below).
  sqlite.pragma("wal_autocheckpoint = 0");
  const idleMs = 7 * 86400_000;
  const graceMs = 10_000;

  const userId = crypto.randomUUID();
  store.insertUser({ id: userId, email: "micro@example.com", name: null, passwordHash: "x", role: "user", createdAt: Date.now() });

  // --- the project's Store (Drizzle prepared statements) inside store.transaction ---
  let storeChain = seedFamily(store, userId).hash;
  let storeInputs: Inputs = { hashes: [], ids: [] };
  function rotateWithStore(i: number) {
    const newHash = storeInputs.hashes[i];
    const newId = storeInputs.ids[i];
    const out = store.transaction(() => {
      const now = Date.now();
      const row = store.tokenWithFamily(storeChain);
      if (!row) throw new Error("store chain lost");
      const user = store.userById(row.userId);
      if (!user || user.disabledAt !== null || row.revokedAt !== null) throw new Error("unexpected state");
      if (now >= row.absoluteExpiresAt || now >= row.lastUsedAt + idleMs) throw new Error("expired");
      if (row.usedAt !== null && (graceMs <= 0 || now - row.usedAt > graceMs)) throw new Error("reuse");
      if (!store.markTokenUsed(row.id, now)) throw new Error("lost the gate");
      store.insertToken({
        id: newId,
        familyId: row.familyId,
        parentId: row.id,
        generation: row.generation + 1,
        tokenHash: newHash,
        now,
        expiresAt: Math.min(now + idleMs, row.absoluteExpiresAt),
      });
      store.touchFamily(row.familyId, now);
      store.insertEvent({
        type: "refresh",
        at: now,
        userId: row.userId,
        familyId: row.familyId,
        ip: META.ip,
        userAgent: META.userAgent,
        detail: JSON.stringify({ generation: row.generation + 1 }),
      });
      return newHash;
    });
    storeChain = out;
  }

  // --- the same SQL as raw better-sqlite3 prepared statements inside db.transaction().immediate() ---
  const raw = {
    tokenWithFamily: sqlite.prepare(
      'select "refresh_tokens"."id", "refresh_tokens"."family_id", "refresh_tokens"."generation", "refresh_tokens"."used_at", "refresh_families"."user_id", "refresh_families"."created_at", "refresh_families"."last_used_at", "refresh_families"."absolute_expires_at", "refresh_families"."revoked_at" from "refresh_tokens" inner join "refresh_families" on "refresh_families"."id" = "refresh_tokens"."family_id" where "refresh_tokens"."token_hash" = ?',
    ),
    userById: sqlite.prepare(
      'select "id", "email", "name", "password_hash", "role", "token_version", "disabled_at", "created_at" from "users" where "users"."id" = ?',
    ),
    markTokenUsed: sqlite.prepare('update "refresh_tokens" set "used_at" = ? where ("refresh_tokens"."id" = ? and "refresh_tokens"."used_at" is null)'),
    insertToken: sqlite.prepare(
      'insert into "refresh_tokens" ("id", "family_id", "parent_id", "generation", "token_hash", "created_at", "expires_at", "used_at") values (?, ?, ?, ?, ?, ?, ?, null)',
    ),
    touchFamily: sqlite.prepare('update "refresh_families" set "last_used_at" = ? where "refresh_families"."id" = ?'),
    insertEvent: sqlite.prepare(
      'insert into "auth_events" ("id", "type", "at", "user_id", "family_id", "ip", "user_agent", "detail") values (null, ?, ?, ?, ?, ?, ?, ?)',
    ),
  };
  type TokenRow = {
    id: string;
    family_id: string;
    generation: number;
    used_at: number | null;
    user_id: string;
    created_at: number;
    last_used_at: number;
    absolute_expires_at: number;
    revoked_at: number | null;
  };
  type UserRaw = { id: string; disabled_at: number | null };
  let rawChain = seedFamily(store, userId).hash;
  let rawInputs: Inputs = { hashes: [], ids: [] };
  const rawRotate = sqlite.transaction((newHash: string, newId: string): string => {
    const now = Date.now();
    const row = raw.tokenWithFamily.get(rawChain) as TokenRow | undefined;
    if (!row) throw new Error("raw chain lost");
    const user = raw.userById.get(row.user_id) as UserRaw | undefined;
    if (!user || user.disabled_at !== null || row.revoked_at !== null) throw new Error("unexpected state");
    if (now >= row.absolute_expires_at || now >= row.last_used_at + idleMs) throw new Error("expired");
    if (row.used_at !== null && (graceMs <= 0 || now - row.used_at > graceMs)) throw new Error("reuse");
    if (raw.markTokenUsed.run(now, row.id).changes !== 1) throw new Error("lost the gate");
    raw.insertToken.run(newId, row.family_id, row.id, row.generation + 1, newHash, now, Math.min(now + idleMs, row.absolute_expires_at));
    raw.touchFamily.run(now, row.family_id);
    raw.insertEvent.run("refresh", now, row.user_id, row.family_id, META.ip, META.userAgent, JSON.stringify({ generation: row.generation + 1 }));
    return newHash;
  });
  function rotateRaw(i: number) {
    rawChain = rawRotate.immediate(rawInputs.hashes[i], rawInputs.ids[i]);
  }

  // --- end to end: createAuth(...).refresh (the transaction above plus ES256 signing) ---
  const keys = await loadKeySet(await generateKeySetJson("ES256"));
  const auth = createAuth({
    store,
    keys,
    config: { ...SETTINGS, refreshTokenTtl: 7 * 86400, sessionMaxAge: 30 * 86400, refreshReuseGrace: 10 },
    clock: systemClock,
    random: systemRandom,
  });
  // A family started the way login starts one (login itself would spend an argon2 verify).
  let authChain = newRefreshToken(systemRandom);
  {
    const now = Date.now();
    const familyId = crypto.randomUUID();
    store.insertFamily({ id: familyId, userId, now, absoluteExpiresAt: now + 30 * 86400_000, userAgent: "bench", ip: "127.0.0.1" });
    store.insertToken({ id: crypto.randomUUID(), familyId, parentId: null, generation: 0, tokenHash: hashRefreshToken(authChain), now, expiresAt: now + idleMs });
  }
  async function refreshWithAuth() {
    const result = await auth.refresh(authChain, META);
    if (!result.ok || !result.refresh) throw new Error(`auth.refresh failed: ${result.ok ? "grace" : result.error}`);
    authChain = result.refresh.token;
  }

  // --- the full check: auth.authenticate (verify + one query) ---
  const { token: accessToken } = await signAccessToken(
    { userId, familyId: (store.tokenWithFamily(hashRefreshToken(authChain)) ?? { familyId: "" }).familyId, tokenVersion: 0, role: "user" },
    keys,
    SETTINGS,
    Date.now(),
    crypto.randomUUID(),
  );
  const authCheck = await auth.authenticate(accessToken);
  if (!authCheck.ok) throw new Error(`authenticate refused the bench token: ${authCheck.error}`);

  // Every sample starts from an empty WAL (untimed).
  const checkpoint = () => sqlite.pragma("wal_checkpoint(TRUNCATE)");

  const cases: Case[] = [
    {
      name: MICRO.txStore,
      units: 1500,
      batch: 1,
      async: false,
      prepare: (n) => {
        storeInputs = makeInputs(n);
        checkpoint();
      },
      op: rotateWithStore,
    },
    {
      name: MICRO.txRaw,
      units: 1500,
      batch: 1,
      async: false,
      prepare: (n) => {
        rawInputs = makeInputs(n);
        checkpoint();
      },
      op: rotateRaw,
    },
    { name: MICRO.refresh, units: 500, batch: 1, async: true, prepare: checkpoint, op: refreshWithAuth },
    { name: MICRO.authenticate, units: 750, batch: 1, async: true, prepare: checkpoint, op: () => auth.authenticate(accessToken) },
  ];
  return {
    cases,
    cleanup: () => {
      sqlite.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function runTiming(rounds: number): Promise<MicroResult> {
  const keys = await loadKeySet(await generateKeySetJson("ES256"));
  const verify = await verifyCases(keys);
  const proxyRows = await proxyCases();
  const rotation = await rotationCases();
  try {
    const only = arg("only", "");
    const cases = [...verify, ...proxyRows, ...rotation.cases].filter((c) => !only || c.name.includes(only));
    const pairs = MICRO_RATIOS.filter(([a, b]) => cases.some((c) => c.name === a) && cases.some((c) => c.name === b));
    return await runRounds(cases, rounds, pairs);
  } finally {
    rotation.cleanup();
  }
}

/* ------------------------------------------------------------------------------------------ */
/* memory                                                                                      */

function gc() {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error("run with node --expose-gc");
  g();
  g();
}

export async function runMemory(capacity: number, count: number): Promise<MemoryResult> {
  const keys = await loadKeySet(await generateKeySetJson("ES256"));
  const started = performance.now();
  const cache = createVerifiedTokenCache(capacity);
  // Warm everything up before the baseline, so code and one-off allocations do not count.
  {
    const { token } = await signAccessToken({ userId: "warm", familyId: "warm", tokenVersion: 0, role: "user" }, keys, SETTINGS, Date.now(), "warm");
    const v = await verifyAccessToken(token, keys, SETTINGS, Date.now());
    if (!v.ok) throw new Error("warm-up token refused");
  }
  gc();
  const before = process.memoryUsage();
  // Distinct tokens as the server would see them (each its own user, session and jti), made the
  // way jose makes them but signed with synchronous node:crypto to keep this quick; each one is
  // then verified by verifyAccessToken and cached. Nothing but the cache keeps them afterwards.
  const template = await signAccessToken({ userId: "u", familyId: "f", tokenVersion: 0, role: "user" }, keys, SETTINGS, Date.now(), "j");
  const [headerSegment, payloadSegment] = template.token.split(".");
  const payloadTemplate = JSON.parse(Buffer.from(payloadSegment, "base64url").toString()) as Record<string, unknown>;
  const signingKey = crypto.KeyObject.from(keys.signing.key);
  const mint = (now: number) => {
    const iat = Math.floor(now / 1000);
    const payload: Record<string, unknown> = { ...payloadTemplate, sub: crypto.randomUUID(), sid: crypto.randomUUID(), jti: crypto.randomUUID(), iat, exp: iat + SETTINGS.accessTokenTtl };
    const input = `${headerSegment}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
    const sig = crypto.sign("sha256", Buffer.from(input), { key: signingKey, dsaEncoding: "ieee-p1363" });
    return `${input}.${sig.toString("base64url")}`;
  };
  const BATCH = 64;
  for (let done = 0; done < count; done += BATCH) {
    const n = Math.min(BATCH, count - done);
    const now = Date.now();
    const tokens = Array.from({ length: n }, () => mint(now));
    const results = await Promise.all(tokens.map((t) => verifyAccessToken(t, keys, SETTINGS, now)));
    results.forEach((r, i) => {
      if (!r.ok) throw new Error(`token refused: ${r.reason}`);
      if (!cache.get(tokens[i], now)) cache.set(tokens[i], r.claims);
    });
  }
  gc();
  const after = process.memoryUsage();
  const mb = (x: number) => x / (1024 * 1024);
  return {
    capacity,
    count,
    cached: cache.size,
    heapMB: mb(after.heapUsed - before.heapUsed),
    rssMB: mb(after.rss - before.rss),
    externalMB: mb(after.external + after.arrayBuffers - before.external - before.arrayBuffers),
    bytesPerEntry: (after.heapUsed - before.heapUsed) / Math.max(1, cache.size),
    seconds: (performance.now() - started) / 1000,
  };
}

async function main() {
  const mode = process.argv[2];
  const out = arg("out", "");
  let result: unknown;
  if (mode === "timing") result = await runTiming(Number(arg("rounds", "5")));
  else if (mode === "memory") result = await runMemory(Number(arg("capacity", "100000")), Number(arg("count", "100000")));
  else throw new Error("usage: micro.ts timing|memory [--rounds n] [--capacity n] [--count n] [--out file]");
  const json = JSON.stringify(result, null, 2);
  if (out) fs.writeFileSync(out, json);
  else console.log(json);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
