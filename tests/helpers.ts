import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { inject } from "vitest";
import { openStorage, type DatabaseConfig } from "@/db";
import { createAuth } from "@/lib/auth";
import { manualClock, systemRandom } from "@/lib/auth/clock";
import type { Config } from "@/lib/config";
import { randomBytes } from "node:crypto";
import type { OutgoingMail } from "@/lib/mail/templates";
import { createMailSender } from "@/lib/mail/sender";
import { generateKeySetJson, loadKeySet, type KeySet } from "@/lib/auth/keys";
import { createSealer, type Sealer } from "@/lib/auth/sealed";
import type { Clock } from "@/lib/auth/clock";
import type { Store } from "@/lib/auth/store";
import { inspect } from "./db-inspect";
import { createDatabase } from "./pg-cluster";

export const ISSUER = "http://localhost:3000";
export const AUDIENCE = "http://localhost:3000";

/** The engine the suites run on: SQLite unless TEST_DB=postgres (npm run test:unit:pg). */
export const TEST_ENGINE: DatabaseConfig["engine"] = process.env.TEST_DB === "postgres" ? "postgres" : "sqlite";

export function tempDatabasePath(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "auth-test-"));
  return path.join(dir, "test.db");
}

/** A fresh, empty database of the engine under test: a temporary SQLite file, or a new database
 * on the run's throwaway PostgreSQL cluster (tests/pg-global-setup.ts). */
export async function testDatabase(): Promise<DatabaseConfig> {
  if (TEST_ENGINE === "sqlite") return { engine: "sqlite", path: tempDatabasePath() };
  return { engine: "postgres", url: await createDatabase(inject("pgBaseUrl")), poolSize: 10 };
}

/** The same, as a DATABASE_URL. */
export async function testDatabaseUrl(): Promise<string> {
  const database = await testDatabase();
  return database.engine === "sqlite" ? `file:${database.path}` : database.url;
}

/** A fresh database opened (migrated) as the app opens it, with an inspector for assertions. */
export async function openTestStorage(database?: DatabaseConfig) {
  const target = database ?? (await testDatabase());
  const storage = await openStorage(target);
  return { storage, database: target, db: inspect(storage, target) };
}

let sharedKeys: Promise<KeySet> | undefined;
export function testKeys(): Promise<KeySet> {
  sharedKeys ??= generateKeySetJson("ES256").then(loadKeySet);
  return sharedKeys;
}

/** One sealing key per test process (AUTH_SECRETS_KEY's stand-in). */
export const testSealer: Sealer = createSealer([randomBytes(32)]);

const TEST_RATE_LIMITS: Config["rateLimit"] = {
  enabled: true,
  loginPerAccount: 5,
  loginPerIp: 30,
  registerPerIp: 10,
  refreshPerIp: 120,
  recoveryPerAddress: 3,
  recoveryPerIp: 10,
  mailPerAddress: 5,
  window: 900,
};

export const TEST_LIFETIMES = {
  issuer: ISSUER,
  audience: AUDIENCE,
  accessTokenTtl: 900,
  refreshTokenTtl: 7 * 86400,
  sessionMaxAge: 30 * 86400,
  refreshReuseGrace: 10,
  appUrl: new URL(ISSUER),
  emailVerification: "optional" as Config["emailVerification"],
  passwordResetTtl: 30 * 60,
  emailVerificationTtl: 24 * 3600,
  rateLimit: TEST_RATE_LIMITS,
  appName: "Test App",
  appOrigin: "http://localhost:3000",
  stepUpMaxAge: 600,
  webauthn: { rpId: "localhost", rpName: "Test App" },
  providers: [] as Config["providers"],
  nativeClients: [] as Config["nativeClients"],
} satisfies Partial<Config>;

const quietLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The mail queue's real sender with a transport that keeps what it sent: tests read links from it.
 * Every read sends what is queued first.
 */
function testMailbox(store: Pick<Store, "claimMail" | "mailSent" | "mailFailed">, clock: Clock) {
  const kept: OutgoingMail[] = [];
  const sender = createMailSender({
    store,
    sealer: testSealer,
    transport: { send: async (mail) => void kept.push(mail), close: () => undefined },
    log: quietLog,
    appName: "Test App",
    now: clock.now,
  });
  return {
    /** Everything sent so far (the queue drained first). */
    async sent(): Promise<OutgoingMail[]> {
      await sender.flush();
      return [...kept];
    },
    /** The token of the newest link of that kind sent to `to` (from the URL fragment). */
    async tokenFor(to: string, kind: OutgoingMail["kind"]): Promise<string | undefined> {
      await sender.flush();
      const mail = [...kept].reverse().find((m) => m.to === to && m.kind === kind);
      return mail ? /#token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1] : undefined;
    },
  };
}

/** A fresh auth core on its own fresh database, with a clock the test moves. */
export async function makeAuth(overrides: Partial<typeof TEST_LIFETIMES> = {}) {
  const { storage, db } = await openTestStorage();
  const { store } = storage;
  const clock = manualClock();
  const keys = await testKeys();
  const securityEvents: string[] = [];
  const mailer = testMailbox(store, clock);
  const auth = createAuth({
    store,
    sealer: testSealer,
    keys,
    config: { ...TEST_LIFETIMES, ...overrides },
    clock,
    random: systemRandom,
    onSecurityEvent: (type) => securityEvents.push(type),
  });
  return { auth, store, storage, db, clock, keys, securityEvents, mailer };
}

export const META = { ip: "203.0.113.7", userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36" };

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const DAY = 86400 * SECOND;
