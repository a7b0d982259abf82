/**
 * Abuse limits (ASVS 5.0 V6.3.1, V2.4): per-IP limits on sign-in, registration and refresh, and a
 * per-account exponential back-off on failed sign-ins with no permanent lockout. Over a limit:
 * 429 with Retry-After and the usual JSON error, recorded as rate_limited. The limits live in the
 * SQLite file, so a restart does not reset them. Small RATE_LIMIT_* values keep this fast; the
 * library has no injectable clock, so the back-off's growth is read from Retry-After and its
 * expiry is simulated by deleting the lock row (what its expiry does), except for one real wait.
 */
import fs from "node:fs";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseConfig, Storage } from "@/db";
import { createLogger } from "@/lib/shared/log";
import { MAX_ACCOUNT_BACKOFF_SECONDS, accountBackoffSeconds, createRateLimits } from "@/lib/security/rate-limits";
import { getRuntime } from "@/lib/server/runtime";
import { inspectRuntime } from "./db-inspect";
import { openTestStorage, testDatabase } from "./helpers";
import { CookieJar, call, configureTestEnv, loadRoutes } from "./http-client";

let r: Awaited<ReturnType<typeof loadRoutes>>;
const LIMITS = { loginPerIp: 5, registerPerIp: 3, refreshPerIp: 4, loginPerAccount: 3 };

beforeAll(async () => {
  await configureTestEnv({
    AUTH_RATE_LIMIT: "on",
    RATE_LIMIT_LOGIN_PER_IP: String(LIMITS.loginPerIp),
    RATE_LIMIT_REGISTER_PER_IP: String(LIMITS.registerPerIp),
    RATE_LIMIT_REFRESH_PER_IP: String(LIMITS.refreshPerIp),
    RATE_LIMIT_LOGIN_PER_ACCOUNT: String(LIMITS.loginPerAccount),
    RATE_LIMIT_WINDOW: "15m",
  });
  r = await loadRoutes();
});

/** A fresh client address per use, so each test has its own per-IP budget. */
let ipCounter = 0;
const freshIp = () => `198.18.${Math.floor(++ipCounter / 250)}.${(ipCounter % 250) + 1}`;
const from = (ip: string, extra: Record<string, string> = {}) => ({
  "x-auth-socket-ip": ip,
  "user-agent": "rate-limit-test",
  ...extra,
});

let userCounter = 0;
async function newUser() {
  const jar = new CookieJar();
  const email = `rl-${++userCounter}@example.com`;
  const res = await call(r.register.POST, "/api/auth/register", {
    body: { email, password: "password-123" },
    jar,
    headers: from(freshIp()),
  });
  expect(res.status).toBe(201);
  return { jar, email };
}

const login = (email: string, password: string, ip: string, jar?: CookieJar) =>
  call(r.login.POST, "/api/auth/login", { body: { email, password }, headers: from(ip), jar });

function expect429(res: Awaited<ReturnType<typeof call>>, label = "") {
  expect(res.status, label).toBe(429);
  expect(res.json, label).toEqual({ error: "rate_limited", message: expect.any(String) });
  const retryAfter = Number(res.headers.get("retry-after"));
  expect(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After ${res.headers.get("retry-after")}`).toBe(true);
  expect(res.headers.get("cache-control")).toBe("no-store");
  expect(res.setCookies).toEqual([]);
  return retryAfter;
}

async function userCount() {
  return (await inspectRuntime()).count("users");
}

describe("per-IP limits: 429 + Retry-After + JSON, other clients unaffected", () => {
  it(`registration: ${LIMITS.registerPerIp} per window per IP; the next creates nothing`, async () => {
    const ip = freshIp();
    for (let i = 0; i < LIMITS.registerPerIp; i++) {
      expect(
        (
          await call(r.register.POST, "/api/auth/register", {
            body: { email: `reg-${ip}-${i}@example.com`, password: "password-123" },
            headers: from(ip),
          })
        ).status,
      ).toBe(201);
    }
    const users = await userCount();
    const retryAfter = expect429(
      await call(r.register.POST, "/api/auth/register", {
        body: { email: `reg-${ip}-x@example.com`, password: "password-123" },
        headers: from(ip),
      }),
    );
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(await userCount()).toBe(users);
    expect(
      (
        await call(r.register.POST, "/api/auth/register", {
          body: { email: `reg-other-${ip}@example.com`, password: "password-123" },
          headers: from(freshIp()),
        })
      ).status,
    ).toBe(201);
  });

  it(`sign-in: ${LIMITS.loginPerIp} attempts per window per IP, then even the right password is a 429`, async () => {
    const { email } = await newUser();
    const ip = freshIp();
    for (let i = 0; i < LIMITS.loginPerIp; i++) {
      // Different unknown accounts, so only the per-IP limit can be the one that trips.
      expect((await login(`nobody-${i}-${ip}@example.com`, "wrong-password", ip)).status).toBe(401);
    }
    expect429(await login(email, "password-123", ip));
    expect((await login(email, "password-123", freshIp())).status).toBe(200);
  });

  it(`refresh: ${LIMITS.refreshPerIp} failed refreshes per window per IP, then junk gets 429; live sessions behind that IP keep rotating`, async () => {
    const office = freshIp();
    const { jar } = await newUser();
    // Rotations of a live session never use the budget.
    for (let i = 0; i < LIMITS.refreshPerIp * 3; i++) {
      expect(
        (await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar, headers: from(office) })).status,
      ).toBe(200);
    }
    const junk = () =>
      call(r.refresh.POST, "/api/auth/refresh", {
        method: "POST",
        headers: from(office, { cookie: `__Secure-refresh=${"A".repeat(43)}` }),
      });
    for (let i = 0; i < LIMITS.refreshPerIp; i++) expect((await junk()).status).toBe(401);
    expect429(await junk());
    expect429(await junk());
    // A colleague behind the same address still rotates; their token is not burnt by the limit.
    const before = jar.get("__Secure-refresh");
    const res = await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar, headers: from(office) });
    expect(res.status).toBe(200);
    expect(jar.get("__Secure-refresh")).not.toBe(before);
  });

  it("the junk is counted even when sent in parallel", async () => {
    const ip = freshIp();
    const results = await Promise.all(
      Array.from({ length: LIMITS.refreshPerIp * 3 }, () =>
        call(r.refresh.POST, "/api/auth/refresh", {
          method: "POST",
          headers: from(ip, { cookie: `__Secure-refresh=${"B".repeat(43)}` }),
        }),
      ),
    );
    expect(results.every((res) => res.status === 401 || res.status === 429)).toBe(true);
    expect429(
      await call(r.refresh.POST, "/api/auth/refresh", {
        method: "POST",
        headers: from(ip, { cookie: `__Secure-refresh=${"C".repeat(43)}` }),
      }),
    );
  });

  it("rotating forged X-Forwarded-For values (TRUST_PROXY=0) does not get around the per-IP limit", async () => {
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < LIMITS.registerPerIp + 3; i++) {
      const res = await call(r.register.POST, "/api/auth/register", {
        body: { email: `xff-${ip}-${i}@example.com`, password: "password-123" },
        headers: from(ip, {
          "x-forwarded-for": `203.0.113.${i}, 10.9.8.${i}`,
          "x-real-ip": `192.0.2.${i}`,
          forwarded: `for=192.0.2.${i}`,
        }),
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array(LIMITS.registerPerIp).fill(201), 429, 429, 429]);
  });

  it("rotating IPv6 addresses inside one /64 does not get around it either", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMITS.registerPerIp + 2; i++) {
      const res = await call(r.register.POST, "/api/auth/register", {
        body: { email: `v6-${i}@example.com`, password: "password-123" },
        headers: from(`2001:db8:77:1:${(i + 1).toString(16)}::${i + 1}`),
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array(LIMITS.registerPerIp).fill(201), 429, 429]);
  });

  it("every 429 is in the audit trail as rate_limited, with path, IP and user agent", async () => {
    const events = (await (await getRuntime()).storage.store.recentEvents(10_000)).filter(
      (e) => e.type === "rate_limited",
    );
    expect(events.length).toBeGreaterThanOrEqual(5);
    for (const e of events) {
      expect(e.ip).toMatch(/^(198\.18\.|2001:db8:)/);
      expect(e.userAgent).toBe("rate-limit-test");
      expect(JSON.parse(e.detail).path).toMatch(/^\/api\/auth\/(login|register|refresh)$/);
    }
  });
});

describe("per-account back-off on failed sign-ins (over HTTP)", () => {
  it(`after ${LIMITS.loginPerAccount} failures from any IPs the account backs off; the right password waits too; then it works (no permanent lockout)`, async () => {
    const { email } = await newUser();
    for (let i = 0; i < LIMITS.loginPerAccount; i++)
      expect((await login(email, "wrong-password", freshIp())).status).toBe(401);
    // The first attempt past the free ones is checked (and takes a 2 s lock before it is)...
    expect((await login(email, "wrong-password", freshIp())).status).toBe(401);
    // ...the next, from yet another IP, waits.
    const retryAfter = expect429(await login(email, "wrong-password", freshIp()), "locked");
    expect(retryAfter).toBeLessThanOrEqual(2);
    expect429(await login(email, "password-123", freshIp()), "locked, right password");
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await login(email, "password-123", freshIp())).status).toBe(200);
    // A success starts the count again: the free attempts are back.
    for (let i = 0; i < LIMITS.loginPerAccount; i++)
      expect((await login(email, "wrong-password", freshIp())).status).toBe(401);
  });

  it("unknown emails back off exactly like real ones (the limit does not reveal which accounts exist)", async () => {
    const ghost = `ghost-${Date.now()}@example.com`;
    const statuses: number[] = [];
    for (let i = 0; i < LIMITS.loginPerAccount + 2; i++)
      statuses.push((await login(ghost, "wrong-password", freshIp())).status);
    expect(statuses).toEqual([...Array(LIMITS.loginPerAccount + 1).fill(401), 429]);
  });

  it("ten parallel guesses at the moment a lock ends: exactly one is checked, nine are 429", async () => {
    const { email } = await newUser();
    for (let i = 0; i < LIMITS.loginPerAccount; i++)
      expect((await login(email, "wrong-password", freshIp())).status).toBe(401);
    const results = await Promise.all(Array.from({ length: 10 }, () => login(email, "wrong-password", freshIp())));
    const statuses = results.map((res) => res.status).sort();
    expect(statuses).toEqual([401, ...Array(9).fill(429)]);
  });

  it("25 wrong passwords sent at once: only the free attempts and one more are checked, the rest are 429", async () => {
    const { email } = await newUser();
    const results = await Promise.all(Array.from({ length: 25 }, () => login(email, "wrong-password", freshIp())));
    const statuses = results.map((res) => res.status).sort();
    expect(statuses).toEqual([
      ...Array(LIMITS.loginPerAccount + 1).fill(401),
      ...Array(25 - LIMITS.loginPerAccount - 1).fill(429),
    ]);
  });

  it("an attacker who keeps the account locked does not lock its owner out of a network they signed in from before", async () => {
    const { email } = await newUser();
    const home = freshIp();
    expect((await login(email, "password-123", home)).status).toBe(200);
    for (let i = 0; i <= LIMITS.loginPerAccount; i++)
      expect((await login(email, "wrong-password", freshIp())).status).toBe(401);
    expect429(await login(email, "wrong-password", freshIp()), "attacker locked out");
    expect429(await login(email, "password-123", freshIp()), "unknown network, right password: still locked");
    expect((await login(email, "password-123", home)).status).toBe(200);
  });
});

describe("password change: the current password is a guess like a sign-in", () => {
  const change = (jar: CookieJar, currentPassword: string, ip: string, newPassword = "new-password-456") =>
    call(r.password.POST, "/api/auth/password", { body: { currentPassword, newPassword }, jar, headers: from(ip) });

  it("wrong current passwords back off like sign-in (429 + Retry-After), and the right one waits too", async () => {
    const { jar } = await newUser();
    for (let i = 0; i <= LIMITS.loginPerAccount; i++)
      expect((await change(jar, "wrong-password", freshIp())).status).toBe(400);
    expect429(await change(jar, "wrong-password", freshIp()), "locked");
    expect429(await change(jar, "password-123", freshIp()), "locked, right password");
  });

  it("shares sign-in's per-account count: failures on one route back off the other", async () => {
    const { jar, email } = await newUser();
    for (let i = 0; i < LIMITS.loginPerAccount; i++)
      expect((await login(email, "wrong-password", freshIp())).status).toBe(401);
    expect((await change(jar, "wrong-password", freshIp())).status).toBe(400);
    expect429(await change(jar, "wrong-password", freshIp()), "password change after sign-in failures");
    expect429(await login(email, "password-123", freshIp()), "sign-in after password-change failures");
  });

  it("parallel guesses from one session are cut off too", async () => {
    const { jar } = await newUser();
    const results = await Promise.all(Array.from({ length: 16 }, () => change(jar, "wrong-password", freshIp())));
    const statuses = results.map((res) => res.status).sort();
    expect(statuses).toEqual([
      ...Array(LIMITS.loginPerAccount + 1).fill(400),
      ...Array(16 - LIMITS.loginPerAccount - 1).fill(429),
    ]);
  });

  it("shares sign-in's per-IP budget", async () => {
    const ip = freshIp();
    const users = [];
    for (let i = 0; i < 2; i++) users.push(await newUser());
    for (let i = 0; i < LIMITS.loginPerIp; i++)
      expect((await login(`nobody-pw-${i}-${ip}@example.com`, "wrong-password", ip)).status).toBe(401);
    expect429(await change(users[0].jar, "wrong-password", ip), "per-IP");
  });

  it("a successful change resets the count", async () => {
    const { jar, email } = await newUser();
    for (let i = 0; i < LIMITS.loginPerAccount; i++)
      expect((await change(jar, "wrong-password", freshIp())).status).toBe(400);
    expect((await change(jar, "password-123", freshIp())).status).toBe(200);
    for (let i = 0; i < LIMITS.loginPerAccount; i++)
      expect((await login(email, "wrong-password", freshIp())).status).toBe(401);
  });
});

describe("the back-off itself (lib/security/rate-limits.ts on the database under test)", () => {
  const config = (overrides: Partial<typeof LIMITS & { enabled: boolean }> = {}) => ({
    rateLimit: {
      enabled: true,
      loginPerAccount: 1,
      loginPerIp: 10_000,
      registerPerIp: 2,
      refreshPerIp: 10_000,
      recoveryPerAddress: 3,
      recoveryPerIp: 10,
      mailPerAddress: 5,
      window: 900,
      ...overrides,
    },
  });
  const opened: Storage[] = [];
  const databases: DatabaseConfig[] = [];
  const open = async (database?: DatabaseConfig) => {
    const test = await openTestStorage(database);
    opened.push(test.storage);
    databases.push(test.database);
    return test;
  };
  afterAll(async () => {
    // Some were closed by their test already (a restart).
    for (const storage of opened) await storage.close().catch(() => undefined);
    for (const d of databases) if (d.engine === "sqlite") fs.rmSync(d.path, { force: true });
  });

  it("grows 2, 4, 8 ... seconds per further failure and is capped at 15 minutes", async () => {
    const { storage, db } = await open();
    const limits = createRateLimits(storage.createLimiter, config());
    const email = "victim@example.com";
    // The one free attempt (loginPerAccount = 1) takes no lock.
    expect((await limits.beforeLogin("203.0.113.1", email)).ok).toBe(true);
    const waits: number[] = [];
    for (let failure = 1; failure <= 12; failure++) {
      // Each attempt past the free one is let through and takes the lock for its back-off...
      expect((await limits.beforeLogin("203.0.113.1", email)).ok, `attempt ${failure + 1}`).toBe(true);
      // ...which the next attempt runs into.
      const locked = await limits.beforeLogin("203.0.113.1", email);
      expect(locked.ok).toBe(false);
      if (!locked.ok) waits.push(locked.retryAfter);
      // Let the lock run out (what time would do).
      await db.deleteRateLimitKeys("login_lock:");
    }
    expect(waits).toEqual([2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]);
    expect(accountBackoffSeconds(1)).toBe(2);
    expect(accountBackoffSeconds(1000)).toBe(MAX_ACCOUNT_BACKOFF_SECONDS);
  });

  it("persists: a new limiter on the same database (a restart) keeps the counts and the locks", async () => {
    const database = await testDatabase();
    let { storage } = await open(database);
    let limits = createRateLimits(storage.createLimiter, config());
    expect((await limits.register("203.0.113.9")).ok).toBe(true);
    expect((await limits.register("203.0.113.9")).ok).toBe(true);
    for (let i = 0; i < 3; i++) await limits.beforeLogin("203.0.113.9", "restart@example.com");
    await storage.close();

    ({ storage } = await open(database));
    limits = createRateLimits(storage.createLimiter, config());
    // Used at once, as by the first request after start-up: no "Table is not created yet" (a 500).
    expect((await limits.register("203.0.113.9")).ok).toBe(false);
    expect((await limits.beforeLogin("203.0.113.10", "restart@example.com")).ok).toBe(false);
    await storage.close();
  });

  it("AUTH_RATE_LIMIT=off: no limit applies, and the log says it is for tests only", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const { storage } = await open();
    const limits = createRateLimits(storage.createLimiter, config({ enabled: false }), createLogger("info", sink));
    for (let i = 0; i < 20; i++) {
      expect((await limits.register("203.0.113.20")).ok).toBe(true);
      expect((await limits.beforeLogin("203.0.113.20", "off@example.com")).ok).toBe(true);
    }
    expect(lines.join("")).toMatch(/AUTH_RATE_LIMIT=off.*tests only/);
    expect(JSON.parse(lines[0]).level).toBe(40);
  });
});
