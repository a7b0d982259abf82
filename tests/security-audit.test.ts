/**
 * Audit trail (ASVS 5.0 V16.2-16.3): every auth event is recorded with time, user, family, IP and
 * user agent, and never a token, cookie or password. This file drives each event through the real
 * route handlers, then checks the auth_events rows, and scans every text cell of every table and
 * every server log line for any token, cookie value or password the suite handled.
 */
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@/lib/shared/log";
import { getRuntime } from "@/lib/server/runtime";
import { inspectRuntime } from "./db-inspect";
import { CookieJar, call, configureTestEnv, loadRoutes, type CallOptions } from "./http-client";

let r: Awaited<ReturnType<typeof loadRoutes>>;
const UA = "Mozilla/5.0 (audit-test) AuditBrowser/1.0";
const IP = "198.51.100.10";
const logLines: string[] = [];
/** Every secret the suite sees: passwords it sends, every cookie value the server sets. */
const secrets = new Set<string>();
const started = Date.now();

beforeAll(async () => {
  await configureTestEnv({
    AUTH_RATE_LIMIT: "on",
    RATE_LIMIT_REGISTER_PER_IP: "3",
    REFRESH_REUSE_GRACE: "0",
    LOG_LEVEL: "trace",
  });
  // The runtime's logger, captured: the log is scanned for secrets too.
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  (globalThis as Record<symbol, unknown>)[Symbol.for("auth-starter.log")] = createLogger("trace", sink);
  r = await loadRoutes();
});

async function send(handler: Parameters<typeof call>[0], path: string, options: CallOptions = {}) {
  const res = await call(handler, path, { ...options, headers: { "user-agent": UA, ...options.headers } });
  for (const c of res.setCookies) if (c.value) secrets.add(c.value);
  const body = options.body as Record<string, unknown> | undefined;
  for (const key of ["password", "currentPassword", "newPassword"])
    if (typeof body?.[key] === "string") secrets.add(body[key] as string);
  return res;
}

async function events() {
  return (await getRuntime()).storage.store.recentEvents(10_000);
}

const FAMILY_EVENTS = [
  "register",
  "sign_in",
  "refresh_reuse_detected",
  "sign_out",
  "sign_out_everywhere",
  "password_changed",
  "password_change_failed",
  "session_ended",
];

describe("every auth event is recorded", () => {
  let userId = "";

  beforeAll(async () => {
    const email = "audited@example.com";
    const a = new CookieJar();
    const reg = await send(r.register.POST, "/api/auth/register", {
      body: { email, password: "first-password-1" },
      jar: a,
    });
    userId = reg.json.user.id;

    // sign-in ok and failed (wrong password, unknown email)
    const b = new CookieJar();
    expect(
      (await send(r.login.POST, "/api/auth/login", { body: { email, password: "first-password-1" }, jar: b })).status,
    ).toBe(200);
    expect(
      (await send(r.login.POST, "/api/auth/login", { body: { email, password: "wrong-password-9" } })).status,
    ).toBe(401);
    expect(
      (
        await send(r.login.POST, "/api/auth/login", {
          body: { email: "nobody@example.com", password: "guess-password-7" },
        })
      ).status,
    ).toBe(401);

    // refresh, then reuse of a rotated token whose successor was used (grace 0): theft detected
    expect((await send(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar: a })).status).toBe(200);
    const c = new CookieJar();
    await send(r.login.POST, "/api/auth/login", { body: { email, password: "first-password-1" }, jar: c });
    const stolen = c.clone();
    await send(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar: c });
    await send(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar: c });
    expect((await send(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar: stolen })).status).toBe(401);
    // ...and a refresh of the now-revoked family fails
    expect((await send(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar: c })).status).toBe(401);

    // sign-out
    expect((await send(r.logout.POST, "/api/auth/logout", { method: "POST", jar: b })).status).toBe(200);

    // session ended from the devices page
    const d = new CookieJar();
    await send(r.login.POST, "/api/auth/login", { body: { email, password: "first-password-1" }, jar: d });
    const list = await send(r.sessions.GET, "/api/auth/sessions", { jar: a });
    const other = list.json.sessions.find((s: { current: boolean }) => !s.current).id;
    expect(
      (
        await send(r.sessionById.DELETE, `/api/auth/sessions/${other}`, {
          method: "DELETE",
          jar: a,
          params: { id: other },
        })
      ).status,
    ).toBe(200);

    // password change, failed and done
    expect(
      (
        await send(r.password.POST, "/api/auth/password", {
          body: { currentPassword: "not-the-password", newPassword: "second-password-2" },
          jar: a,
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await send(r.password.POST, "/api/auth/password", {
          body: { currentPassword: "first-password-1", newPassword: "second-password-2" },
          jar: a,
        })
      ).status,
    ).toBe(200);

    // an administrator ends every session (lib call: the admin UI is elsewhere)
    const e = new CookieJar();
    await send(r.login.POST, "/api/auth/login", { body: { email, password: "second-password-2" }, jar: e });
    await (await getRuntime()).auth.endAllSessionsOf({ userId }, "admin-1", { ip: IP, userAgent: UA });

    // sign-out everywhere
    const f = new CookieJar();
    await send(r.login.POST, "/api/auth/login", { body: { email, password: "second-password-2" }, jar: f });
    expect((await send(r.logoutAll.POST, "/api/auth/logout-all", { method: "POST", jar: f })).status).toBe(200);

    // rate limited (its own IP) and a cross-site request refused
    for (let i = 0; i < 4; i++) {
      await send(r.register.POST, "/api/auth/register", {
        body: { email: `flood-${i}@example.com`, password: "flood-password-3" },
        headers: { "x-auth-socket-ip": "203.0.113.99" },
      });
    }
    expect(
      (await send(r.logout.POST, "/api/auth/logout", { method: "POST", jar: a, origin: "https://evil.example" }))
        .status,
    ).toBe(403);
  });

  const REQUIRED = [
    "register",
    "sign_in",
    "sign_in_failed",
    "refresh_reuse_detected",
    "refresh_failed",
    "sign_out",
    "sign_out_everywhere",
    "password_changed",
    "password_change_failed",
    "session_ended",
    "sessions_ended_by_admin",
    "rate_limited",
    "csrf_refused",
  ];

  for (const type of REQUIRED) {
    it(`${type}: recorded with time, IP and user agent${FAMILY_EVENTS.includes(type) ? ", user and family" : ""}`, async () => {
      const rows = (await events()).filter((e) => e.type === type);
      expect(rows.length, type).toBeGreaterThan(0);
      for (const row of rows) {
        expect(row.at).toBeGreaterThanOrEqual(started);
        expect(row.at).toBeLessThanOrEqual(Date.now());
        expect(row.ip).toMatch(/^(198\.51\.100\.10|203\.0\.113\.99)$/);
        expect(row.userAgent).toBe(UA);
        expect(() => JSON.parse(row.detail)).not.toThrow();
        if (FAMILY_EVENTS.includes(type)) {
          expect(row.userId, type).toMatch(/^[0-9a-f-]{36}$/);
          expect(row.familyId, type).toMatch(/^[0-9a-f-]{36}$/);
        }
      }
      if (FAMILY_EVENTS.includes(type)) expect(rows.some((row) => row.userId === userId)).toBe(true);
    });
  }

  it("a routine refresh writes no audit row (the family's last use is on its row); reuse is recorded", async () => {
    const types = (await events()).map((e) => e.type);
    expect(types).not.toContain("refresh");
    expect(types).toContain("refresh_reuse_detected");
  });

  it("a failed sign-in for a real account names the user; for an unknown email, no user (and no email stored)", async () => {
    const failed = (await events()).filter((e) => e.type === "sign_in_failed");
    expect(failed.map((e) => e.userId).sort()).toEqual([null, userId].sort());
    for (const e of failed) expect(e.detail).not.toContain("@");
  });

  it("the user can read their own trail (newest first)", async () => {
    const mine = await (await getRuntime()).auth.userEvents(userId, 100);
    expect(mine[0].type).toBe("sign_out_everywhere");
    expect(new Set(mine.map((e) => e.type))).toEqual(
      new Set(
        FAMILY_EVENTS.concat([
          "sign_in_failed",
          "refresh_failed",
          "sessions_ended_by_admin",
          "email_verification_sent",
        ]),
      ),
    );
  });
});

describe("nothing secret is stored or logged", () => {
  it("no token, cookie value or password appears in any text cell of any table", async () => {
    expect(secrets.size).toBeGreaterThan(20);
    const db = await inspectRuntime();
    const tables = await db.tables();
    expect(tables).toEqual(
      expect.arrayContaining([
        "users",
        "auth_events",
        "refresh_families",
        "refresh_tokens",
        "revoked_jtis",
        "rate_limits",
      ]),
    );
    let cells = 0;
    for (const table of tables) {
      for (const row of await db.rows(table)) {
        for (const value of Object.values(row)) {
          if (typeof value !== "string") continue;
          cells++;
          for (const secret of secrets) expect(value.includes(secret), `${table} holds a secret`).toBe(false);
          // Not even the signature half of an access token.
          expect(value).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
        }
      }
    }
    expect(cells).toBeGreaterThan(100);
  });

  it("no token, cookie value or password appears in the server log (and the log did run)", () => {
    const text = logLines.join("");
    expect(text).toContain("security event");
    expect(text).toContain("refresh_reuse_detected");
    for (const secret of secrets) expect(text.includes(secret)).toBe(false);
  });
});

afterAll(() => {
  delete (globalThis as Record<symbol, unknown>)[Symbol.for("auth-starter.log")];
});
