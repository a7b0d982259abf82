/**
 * In-process cases: the refresh rotation on its "rotated" path through the project's Store
 * (store.rotate with the core's decision) against the same SQL as raw better-sqlite3 statements;
 * auth.refresh() end to end and auth.authenticate(), for attribution.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openSqliteStorage } from "@/db/sqlite";
import { createAuth } from "@/lib/auth";
import { systemClock, systemRandom } from "@/lib/auth/clock";
import { generateKeySetJson, loadKeySet } from "@/lib/auth/keys";
import { createSealer } from "@/lib/auth/sealed";
import { parseConfig } from "@/lib/config";
import { hashOpaqueToken, newOpaqueToken } from "@/lib/auth/opaque-token";
import { issueRefreshToken } from "@/lib/auth/refresh-token";
import type { RotationDecision, Store } from "@/lib/auth/store";
import { signAccessToken } from "@/lib/auth/access-token";
import { SETTINGS, type Case } from "../lib/micro-harness";
import { MICRO } from "../lib/names";
import { rawRotator } from "./rotation-raw";

const META = { ip: "127.0.0.1", userAgent: "bench" };

type Inputs = { hashes: string[]; ids: string[] };
function makeInputs(n: number): Inputs {
  const hashes: string[] = new Array(n);
  const ids: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    hashes[i] = hashOpaqueToken(newOpaqueToken(systemRandom));
    ids[i] = crypto.randomUUID();
  }
  return { hashes, ids };
}

/** A family started as sign-in starts one: its first token's hash in its row. */
async function seedFamily(
  store: Store,
  userId: string,
  hash = hashOpaqueToken(newOpaqueToken(systemRandom)),
  familyId: string = crypto.randomUUID(),
): Promise<{ familyId: string; hash: string }> {
  const now = Date.now();
  await store.startFamily(
    {
      id: familyId,
      userId,
      now,
      absoluteExpiresAt: now + 30 * 86400_000,
      userAgent: "bench",
      ip: "127.0.0.1",
      client: "browser",
      dpopJkt: null,
      nativeClientId: null,
      amr: '["pwd"]',
      authTime: now,
      provider: null,
      generation: 0,
      tokenHash: hash,
    },
    { type: "sign_in", at: now, userId, familyId, ip: META.ip, userAgent: META.userAgent, detail: "{}" },
  );
  return { familyId, hash };
}

export async function rotationCases(): Promise<{ cases: Case[]; cleanup: () => void }> {
  // On tmpfs when there is one: the comparison is about the code path, and the disk's dirty-page
  // writeback stalls (tens of ms, at random) would otherwise decide it.
  const base = fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir();
  const dir = fs.mkdtempSync(path.join(base, "auth-bench-micro-"));
  const storage = openSqliteStorage(path.join(dir, "micro.db"));
  const { store } = storage;
  const sqlite = storage.sqlite!.$client;
  // No automatic checkpoints inside the timed loops: a checkpoint fsyncs, blocking for
  // milliseconds wherever it lands (every ~150 rotations), which is I/O noise, not the code path
  // being compared. Each sample starts from an empty WAL instead (see checkpoint below).
  sqlite.pragma("wal_autocheckpoint = 0");
  const idleMs = 7 * 86400_000;

  const userId = crypto.randomUUID();
  await store.insertUser({
    id: userId,
    email: "micro@example.com",
    name: null,
    passwordHash: "x",
    role: "user",
    createdAt: Date.now(),
  });

  // --- the project's Store: store.rotate with the rotated path's decision (the core's rules) ---
  const storeFamily = await seedFamily(store, userId);
  let storeChain = storeFamily.hash;
  let storeInputs: Inputs = { hashes: [], ids: [] };
  async function rotateWithStore(i: number) {
    const newHash = storeInputs.hashes[i];
    storeChain = await store.rotate(storeFamily.familyId, (found): RotationDecision<string> => {
      const now = Date.now();
      if (!found) throw new Error("store family lost");
      const { family, user } = found;
      if (!user || user.disabledAt !== null || family.revokedAt !== null) throw new Error("unexpected state");
      if (now >= family.absoluteExpiresAt || now >= family.lastUsedAt + idleMs) throw new Error("expired");
      if (family.tokenHash !== storeChain) throw new Error("reuse");
      return {
        writes: {
          now,
          advance: {
            fromHash: storeChain,
            to: {
              generation: family.generation + 1,
              tokenHash: newHash,
              previousGeneration: family.generation,
              previousTokenHash: storeChain,
              previousUsedAt: now,
              previousSuperseded: false,
            },
          },
        },
        result: newHash,
      };
    });
  }

  // --- the same SQL as raw better-sqlite3 prepared statements inside db.transaction().immediate() ---
  const rawFamily = await seedFamily(store, userId);
  const rotateRawTx = rawRotator(sqlite, rawFamily.familyId, rawFamily.hash, { idleMs });
  let rawInputs: Inputs = { hashes: [], ids: [] };
  function rotateRaw(i: number) {
    rotateRawTx(rawInputs.hashes[i]);
  }

  // --- end to end: createAuth(...).refresh (the transaction above plus ES256 signing) ---
  const keys = await loadKeySet(await generateKeySetJson("ES256"));
  const sealer = createSealer([crypto.randomBytes(32)]);
  const auth = createAuth({
    store,
    keys,
    config: {
      ...parseConfig({ APP_URL: "http://127.0.0.1" }),
      ...SETTINGS,
      refreshTokenTtl: 7 * 86400,
      sessionMaxAge: 30 * 86400,
      refreshReuseGrace: 10,
      emailVerification: "off",
    },
    sealer,
    clock: systemClock,
    random: systemRandom,
  });
  // A family started the way login starts one (login itself would spend an argon2 verify).
  const authFamilyId = crypto.randomUUID();
  const first = issueRefreshToken({ id: authFamilyId, generation: 0 }, systemRandom, sealer);
  let authChain = first.token;
  const authFamily = await seedFamily(store, userId, first.hash, authFamilyId);
  async function refreshWithAuth() {
    const result = await auth.refresh(authChain, META);
    if (!result.ok || !result.refresh) throw new Error(`auth.refresh failed: ${result.ok ? "grace" : result.error}`);
    authChain = result.refresh.token;
  }

  // --- the full check: auth.authenticate (verify + one query) ---
  const { token: accessToken } = await signAccessToken(
    {
      userId,
      familyId: authFamily.familyId,
      tokenVersion: 0,
      role: "user",
    },
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
      async: true,
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
    {
      name: MICRO.authenticate,
      units: 750,
      batch: 1,
      async: true,
      prepare: checkpoint,
      op: () => auth.authenticate(accessToken),
    },
  ];
  return {
    cases,
    cleanup: () => {
      sqlite.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
