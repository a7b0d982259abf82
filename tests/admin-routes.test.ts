/**
 * The admin users API and a person's own account routes over HTTP (route handlers, the engine
 * under test): who may call what (401 signed out, 403 not an administrator, 401
 * reauthentication_required without a recent sign-in), the shapes of DESIGN.md's "Operating it",
 * a disabled user's other browser signed out, and deleting an account with the rate limiter on
 * (its counters keyed by the address go too).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { CookieJar, call, configureTestEnv, loadRoutes, withStaleSignIn } from "./http-client";
import { inspectRuntime } from "./db-inspect";
import { decodePayload } from "./forge";

let r: Awaited<ReturnType<typeof loadRoutes>>;
let users: typeof import("@/app/api/admin/users/route");
let user: typeof import("@/app/api/admin/users/[id]/route");
let disable: typeof import("@/app/api/admin/users/[id]/disable/route");
let enable: typeof import("@/app/api/admin/users/[id]/enable/route");
let endSessions: typeof import("@/app/api/admin/users/[id]/end-sessions/route");
let endOne: typeof import("@/app/api/admin/users/[id]/sessions/[sessionId]/route");
let account: typeof import("@/app/api/account/route");
let exporter: typeof import("@/app/api/account/export/route");

const PASSWORD = "correct horse battery";
let admin: CookieJar;

beforeAll(async () => {
  // The limiter on: deleting an account must take its counters (keyed by the address) along.
  await configureTestEnv({ AUTH_RATE_LIMIT: "on" });
  r = await loadRoutes();
  users = await import("@/app/api/admin/users/route");
  user = await import("@/app/api/admin/users/[id]/route");
  disable = await import("@/app/api/admin/users/[id]/disable/route");
  enable = await import("@/app/api/admin/users/[id]/enable/route");
  endSessions = await import("@/app/api/admin/users/[id]/end-sessions/route");
  endOne = await import("@/app/api/admin/users/[id]/sessions/[sessionId]/route");
  account = await import("@/app/api/account/route");
  exporter = await import("@/app/api/account/export/route");
  const { getRuntime } = await import("@/lib/server/runtime");
  const made = await (
    await getRuntime()
  ).auth.addUser({ email: "admin@example.com", name: "Admin", role: "admin", password: PASSWORD }, { kind: "cli" });
  if (!made.ok) throw new Error(made.error);
  admin = await signIn("admin@example.com");
}, 60_000);

let n = 0;
const address = (prefix: string) => `${prefix}-${++n}@example.com`;

async function signIn(email: string, password = PASSWORD) {
  const jar = new CookieJar();
  const res = await call(r.login.POST, "/api/auth/login", { body: { email, password }, jar });
  expect(res.status, res.text).toBe(200);
  return jar;
}

async function registered(email: string) {
  const jar = new CookieJar();
  const res = await call(r.register.POST, "/api/auth/register", { body: { email, password: PASSWORD }, jar });
  expect(res.status, res.text).toBe(201);
  return { jar, id: res.json.user.id as string };
}

const post = (handler: { POST: unknown }, path: string, jar?: CookieJar, params: Record<string, string> = {}) =>
  call(handler.POST as never, path, { method: "POST", jar, params });

describe("who may call the admin users API", () => {
  it("signed out 401, a user 403, an administrator without a recent sign-in 401 reauthentication_required for actions", async () => {
    const someone = await registered(address("plain"));
    expect((await call(users.GET as never, "/api/admin/users")).status).toBe(401);
    expect((await call(users.GET as never, "/api/admin/users", { jar: someone.jar })).status).toBe(403);
    const forbidden = await post(disable, `/api/admin/users/${someone.id}/disable`, someone.jar, { id: someone.id });
    expect(forbidden.status).toBe(403);
    const stale = await post(disable, `/api/admin/users/${someone.id}/disable`, await withStaleSignIn(admin), {
      id: someone.id,
    });
    expect(stale.status).toBe(401);
    expect(stale.json.error).toBe("reauthentication_required");
    // Reading needs no step-up.
    expect((await call(users.GET as never, "/api/admin/users", { jar: await withStaleSignIn(admin) })).status).toBe(
      200,
    );
  });
});

describe("the admin users API", () => {
  it("lists and searches users in DESIGN.md's shape, never a hash", async () => {
    const email = address("listed");
    await registered(email);
    const res = await call(users.GET as never, `/api/admin/users?query=${encodeURIComponent(email.toUpperCase())}`, {
      jar: admin,
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      users: [
        {
          id: expect.any(String),
          email,
          name: null,
          role: "user",
          emailVerified: false,
          twoFactor: false,
          disabled: false,
          createdAt: expect.any(Number),
          lastSignInAt: expect.any(Number),
        },
      ],
      nextCursor: null,
    });
    expect(res.text).not.toMatch(/argon2|password/i);
  });

  it("disabling a signed-in user signs their other browser out at once; enabling lets them back in", async () => {
    const email = address("disabled");
    const { jar, id } = await registered(email);
    expect((await call(r.me.GET, "/api/me", { jar })).status).toBe(200);
    const res = await post(disable, `/api/admin/users/${id}/disable`, admin, { id });
    expect(res.status).toBe(200);
    expect(res.json.user).toMatchObject({ id, disabled: true });
    expect((await call(r.me.GET, "/api/me", { jar })).status).toBe(401);
    expect((await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar })).status).toBe(401);
    const refused = await call(r.login.POST, "/api/auth/login", { body: { email, password: PASSWORD } });
    expect(refused.status).toBe(403);
    expect(refused.json.error).toBe("account_disabled");
    const wrong = await call(r.login.POST, "/api/auth/login", { body: { email, password: "not the password" } });
    expect(wrong.status).toBe(401);
    expect((await post(enable, `/api/admin/users/${id}/enable`, admin, { id })).status).toBe(200);
    await signIn(email);
  });

  it("a role change; the last administrator keeps theirs (409); a user's page has sessions and events; ending one or all", async () => {
    const email = address("role");
    const { jar, id } = await registered(email);
    const promoted = await call(user.PATCH as never, `/api/admin/users/${id}`, {
      method: "PATCH",
      jar: admin,
      params: { id },
      body: { role: "admin" },
    });
    expect(promoted.json.user.role).toBe("admin");
    const demoted = await call(user.PATCH as never, `/api/admin/users/${id}`, {
      method: "PATCH",
      jar: admin,
      params: { id },
      body: { role: "user" },
    });
    expect(demoted.json.user.role).toBe("user");
    const me = (await call(r.me.GET, "/api/me", { jar: admin })).json.user.id as string;
    const last = await call(user.PATCH as never, `/api/admin/users/${me}`, {
      method: "PATCH",
      jar: admin,
      params: { id: me },
      body: { role: "user" },
    });
    expect(last.status).toBe(409);
    expect(last.json.error).toBe("last_admin");
    const bad = await call(user.PATCH as never, `/api/admin/users/${id}`, {
      method: "PATCH",
      jar: admin,
      params: { id },
      body: { role: "root" },
    });
    expect(bad.status).toBe(400);

    const second = await signIn(email);
    const detail = await call(user.GET as never, `/api/admin/users/${id}`, { jar: admin, params: { id } });
    expect(detail.json.user.email).toBe(email);
    expect(detail.json.events.map((e: { type: string }) => e.type)).toContain("role_changed");
    // The registration's session and this one.
    expect(detail.json.sessions).toHaveLength(2);
    const sessionId = decodePayload(second.get("__Host-access")!).sid as string;
    const ended = await call(endOne.DELETE as never, `/api/admin/users/${id}/sessions/${sessionId}`, {
      method: "DELETE",
      jar: admin,
      params: { id, sessionId },
    });
    expect(ended.status).toBe(200);
    expect((await call(r.me.GET, "/api/me", { jar: second })).status).toBe(401);
    // The other session lives on (after its refresh: the role changes bumped the token version).
    expect((await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar })).status).toBe(200);
    expect((await call(r.me.GET, "/api/me", { jar })).status).toBe(200);
    await signIn(email);
    const all = await post(endSessions, `/api/admin/users/${id}/end-sessions`, admin, { id });
    expect(all.json).toMatchObject({ ok: true, ended: 2, self: false });
    expect((await call(r.me.GET, "/api/me", { jar })).status).toBe(401);
    expect(
      (await call(user.GET as never, "/api/admin/users/nope", { jar: admin, params: { id: "nope" } })).status,
    ).toBe(404);
  });
});

describe("a person's own account", () => {
  it("the export is a JSON attachment of the account's data", async () => {
    const email = address("export");
    const { jar } = await registered(email);
    const res = await call(exporter.GET as never, "/api/account/export", { jar });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(
      /^attachment; filename="account-data-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    expect(res.json.account.email).toBe(email);
    expect(res.json.sessions).toHaveLength(1);
    expect(res.text).not.toMatch(/argon2|passwordHash|tokenVersion/);
    expect((await call(exporter.GET as never, "/api/account/export")).status).toBe(401);
  });

  it("delete: the address typed, cookies cleared, every session ended; no row names the address, rate-limit counters included", async () => {
    const email = address("delete");
    const { jar } = await registered(email);
    // Counters keyed by the address: a wrong password, then a sign-in from a known network.
    await call(r.login.POST, "/api/auth/login", { body: { email, password: "not the password" } });
    const other = await signIn(email);
    const db = await inspectRuntime();
    expect((await db.rowsContaining(email)).some((line) => line.startsWith("rate_limits: "))).toBe(true);
    const mismatch = await call(account.DELETE as never, "/api/account", {
      method: "DELETE",
      jar,
      body: { email: "x@example.com" },
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json.error).toBe("confirmation_mismatch");
    const stale = await call(account.DELETE as never, "/api/account", {
      method: "DELETE",
      jar: await withStaleSignIn(jar),
      body: { email },
    });
    expect(stale.json.error).toBe("reauthentication_required");
    const deleted = await call(account.DELETE as never, "/api/account", { method: "DELETE", jar, body: { email } });
    expect(deleted.status).toBe(200);
    expect(deleted.setCookies.filter((c) => c.value === "").map((c) => c.name)).toEqual(
      expect.arrayContaining(["__Host-access", "__Secure-refresh"]),
    );
    expect((await call(r.me.GET, "/api/me", { jar: other })).status).toBe(401);
    // Let the notice go out (it is the one row that held the address, sealed, until sent).
    const { getRuntime } = await import("@/lib/server/runtime");
    await (await getRuntime()).mailSender.flush();
    expect(await db.rowsContaining(email)).toEqual([]);
    // A new account with the same address.
    expect((await registered(email)).id).toBeTruthy();
  });
});
