/**
 * A database that is down or restarting (the engine throws StorageUnavailableError): every route
 * answers a clean 503 JSON with Retry-After, never a 500, and works again when the database does.
 * The real thing (a PostgreSQL server stopped and started) is in tests/postgres-*.test.ts.
 */
import Database from "better-sqlite3";
import { beforeAll, expect, it } from "vitest";
import { StorageUnavailableError, type Store } from "@/lib/auth/store";
import { getRuntime } from "@/lib/server/runtime";
import { TEST_ENGINE } from "./helpers";
import { CookieJar, call, configureTestEnv, loadRoutes } from "./http-client";

let r: Awaited<ReturnType<typeof loadRoutes>>;

beforeAll(async () => {
  await configureTestEnv({ AUTH_RATE_LIMIT: "on" });
  r = await loadRoutes();
});

/** Makes every store method fail as an unreachable database would, until the returned function is called. */
async function databaseDown() {
  const store = (await getRuntime()).storage.store as unknown as Record<string, unknown>;
  const saved = { ...store };
  for (const [name, value] of Object.entries(store)) {
    if (typeof value === "function") store[name] = async () => Promise.reject(new StorageUnavailableError());
  }
  return () => Object.assign(store, saved as Partial<Store>);
}

it("API calls during an outage get 503 service_unavailable with Retry-After, then work again", async () => {
  const jar = new CookieJar();
  expect(
    (
      await call(r.register.POST, "/api/auth/register", {
        body: { email: "outage@example.com", password: "password-123" },
        jar,
      })
    ).status,
  ).toBe(201);
  const restore = await databaseDown();
  try {
    for (const res of [
      await call(r.me.GET, "/api/me", { jar }),
      await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar }),
      await call(r.login.POST, "/api/auth/login", { body: { email: "outage@example.com", password: "password-123" } }),
      await call(r.sessions.GET, "/api/auth/sessions", { jar }),
      await call(r.login.POST, "/api/auth/login", {
        body: { email: "x@example.com", password: "p" },
        origin: "https://evil.example",
      }),
    ]) {
      expect(res.status).toBe(503);
      expect(res.json).toEqual({ error: "service_unavailable", message: expect.any(String) });
      expect(res.headers.get("retry-after")).toBe("2");
      expect(res.setCookies).toEqual([]);
    }
  } finally {
    restore();
  }
  expect((await call(r.me.GET, "/api/me", { jar })).status).toBe(200);
  expect((await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar })).status).toBe(200);
});

it.runIf(TEST_ENGINE === "sqlite")(
  "SQLite locked by another process past the busy timeout: 503 like a PostgreSQL outage, then it works again",
  async () => {
    const jar = new CookieJar();
    const register = await call(r.register.POST, "/api/auth/register", {
      body: { email: "locked@example.com", password: "password-123" },
      jar,
    });
    expect(register.status).toBe(201);
    const rt = await getRuntime();
    const path = (rt.config.database as { path: string }).path;
    // The app's own connection waits 200 ms for the lock (5 s in production), not the test's time.
    rt.storage.sqlite!.$client.pragma("busy_timeout = 200");
    const other = new Database(path);
    other.exec("begin exclusive");
    try {
      for (const res of [
        await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar: jar.clone() }),
        await call(r.login.POST, "/api/auth/login", {
          body: { email: "locked@example.com", password: "password-123" },
        }),
      ]) {
        expect(res.status).toBe(503);
        expect(res.json).toEqual({ error: "service_unavailable", message: expect.any(String) });
        expect(res.headers.get("retry-after")).toBe("2");
      }
    } finally {
      other.exec("rollback");
      other.close();
      rt.storage.sqlite!.$client.pragma("busy_timeout = 5000");
    }
    expect((await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar })).status).toBe(200);
  },
);
