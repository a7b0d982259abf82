import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, migrateDatabase } from "@/db/sqlite/client";
import { createAuth } from "@/lib/auth";
import { manualClock, systemRandom } from "@/lib/auth/clock";
import type { Config } from "@/lib/config";
import { generateKeySetJson, loadKeySet, type KeySet } from "@/lib/auth/keys";
import { createStore } from "@/db/sqlite/store";

export const ISSUER = "http://localhost:3000";
export const AUDIENCE = "http://localhost:3000";

export function tempDatabasePath(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "auth-test-"));
  return path.join(dir, "test.db");
}

let sharedKeys: Promise<KeySet> | undefined;
export function testKeys(): Promise<KeySet> {
  sharedKeys ??= generateKeySetJson("ES256").then(loadKeySet);
  return sharedKeys;
}

export const TEST_LIFETIMES = {
  issuer: ISSUER,
  audience: AUDIENCE,
  accessTokenTtl: 900,
  refreshTokenTtl: 7 * 86400,
  sessionMaxAge: 30 * 86400,
  refreshReuseGrace: 10,
} satisfies Partial<Config>;

/** A fresh auth core on its own temporary SQLite file, with a clock the test moves. */
export async function makeAuth(overrides: Partial<typeof TEST_LIFETIMES> = {}) {
  const db = openDatabase(tempDatabasePath());
  migrateDatabase(db);
  const store = createStore(db);
  const clock = manualClock();
  const keys = await testKeys();
  const securityEvents: string[] = [];
  const auth = createAuth({
    store,
    keys,
    config: { ...TEST_LIFETIMES, ...overrides },
    clock,
    random: systemRandom,
    onSecurityEvent: (type) => securityEvents.push(type),
  });
  return { auth, store, db, clock, keys, securityEvents };
}

export const META = { ip: "203.0.113.7", userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36" };

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const DAY = 86400 * SECOND;
