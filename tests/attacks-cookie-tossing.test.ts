/**
 * Cookie tossing (issue 8, item 3): a sibling subdomain plants its own `__Secure-refresh` with
 * `Domain=<parent>; Path=/`. Browsers send it after the app's own (longer paths first) and Next's
 * req.cookies keeps the last value, so the victim would be switched into the attacker's account.
 * Whatever the order of two different refresh cookies, neither session is used: 401
 * ambiguous_session, the cookie cleared at every path it can sit at, an event recorded, and both
 * families untouched. Over real HTTP and in a browser: e2e/attacks-odd-requests.spec.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { clearedCookies, cookieDomainsFor, readCookie } from "@/lib/server/cookies";
import { getRuntime } from "@/lib/server/runtime";
import { CookieJar, call, configureTestEnv, databaseSnapshot, loadRoutes, type Cookie } from "./http-client";

let r: Awaited<ReturnType<typeof loadRoutes>>;

beforeAll(async () => {
  await configureTestEnv({ REFRESH_REUSE_GRACE: "0" });
  r = await loadRoutes();
});

let n = 0;
async function signedIn(who: string) {
  const jar = new CookieJar();
  const email = `${who}-${++n}@example.com`;
  const res = await call(r.register.POST, "/api/auth/register", { body: { email, password: "password-123" }, jar });
  expect(res.status).toBe(201);
  return { jar, email, refresh: jar.get("__Secure-refresh")!, access: jar.get("__Host-access")! };
}

/** The two sessions, and the Cookie header a tossed cookie produces: the victim's own cookies plus the planted refresh. */
async function tossed() {
  const victim = await signedIn("victim");
  const attacker = await signedIn("attacker");
  const header = (order: "victim-first" | "attacker-first") => {
    const refreshes =
      order === "victim-first" ? [victim.refresh, attacker.refresh] : [attacker.refresh, victim.refresh];
    return `__Host-access=${victim.access}; ${refreshes.map((v) => `__Secure-refresh=${v}`).join("; ")}`;
  };
  return { victim, attacker, header };
}

async function conflictEvents() {
  return (await (await getRuntime()).storage.store.recentEvents(10_000)).filter(
    (e) => e.type === "refresh_cookie_conflict",
  );
}

function expectClearedEverywhere(setCookies: Cookie[]) {
  const refreshClears = setCookies.filter((c) => c.name === "__Secure-refresh");
  expect(refreshClears.map((c) => c.path).sort()).toEqual(["/", "/api", "/api/auth"]);
  for (const c of refreshClears) {
    expect(c.value).toBe("");
    expect(c.maxAge).toBe(0);
    expect(c.attrs).toMatch(/(^|; )Secure(;|$)/);
    expect(c.attrs).toMatch(/(^|; )HttpOnly(;|$)/);
    expect(c.attrs).toMatch(/SameSite=Strict/);
  }
  expect(setCookies.find((c) => c.name === "__Host-access")).toMatchObject({ value: "", maxAge: 0, path: "/" });
}

/** Each session still works with its own cookie alone. */
async function bothStillWork(victim: { refresh: string }, attacker: { refresh: string }) {
  for (const token of [victim.refresh, attacker.refresh]) {
    const res = await call(r.refresh.POST, "/api/auth/refresh", {
      method: "POST",
      headers: { cookie: `__Secure-refresh=${token}` },
    });
    expect(res.status).toBe(200);
  }
}

describe("two different refresh cookies on refresh", () => {
  for (const order of ["victim-first", "attacker-first"] as const) {
    it(`(${order}) is refused: 401 ambiguous_session, cleared at /, /api and /api/auth, recorded, neither family touched`, async () => {
      const { victim, attacker, header } = await tossed();
      const eventsBefore = (await conflictEvents()).length;
      const before = await databaseSnapshot();

      const res = await call(r.refresh.POST, "/api/auth/refresh", {
        method: "POST",
        headers: { cookie: header(order) },
      });

      expect(res.status).toBe(401);
      expect(res.json).toEqual({ error: "ambiguous_session", message: expect.any(String) });
      expect(res.text).not.toContain(attacker.email);
      expect(res.headers.get("cache-control")).toBe("no-store");
      // No session was minted for anyone: nothing but clearing lines.
      expect(res.setCookies.filter((c) => c.value !== "")).toEqual([]);
      expectClearedEverywhere(res.setCookies);
      // Neither family rotated, revoked or was touched.
      expect(await databaseSnapshot()).toBe(before);

      const events = await conflictEvents();
      expect(events).toHaveLength(eventsBefore + 1);
      expect(JSON.parse(events[0].detail)).toEqual({ count: 2 });
      for (const token of [victim.refresh, attacker.refresh, victim.access])
        expect(JSON.stringify(events[0])).not.toContain(token);

      await bothStillWork(victim, attacker);
    });
  }

  it("three cookies, two of them the same, are still a conflict", async () => {
    const { victim, attacker } = await tossed();
    const cookie = `__Secure-refresh=${victim.refresh}; __Secure-refresh=${attacker.refresh}; __Secure-refresh=${victim.refresh}`;
    const res = await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", headers: { cookie } });
    expect(res.status).toBe(401);
    expect(res.json.error).toBe("ambiguous_session");
  });

  it("an identical duplicate is not a conflict: the refresh works", async () => {
    const victim = await signedIn("duplicate");
    const cookie = `__Secure-refresh=${victim.refresh}; __Host-access=${victim.access}; __Secure-refresh=${victim.refresh}`;
    const res = await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.json.user.email).toBe(victim.email);
  });
});

describe("two different refresh cookies on logout", () => {
  for (const order of ["victim-first", "attacker-first"] as const) {
    it(`(${order}) uses neither refresh cookie: 401, cleared, recorded; only the session the access cookie names ends`, async () => {
      const { victim, attacker, header } = await tossed();
      const eventsBefore = (await conflictEvents()).length;

      const res = await call(r.logout.POST, "/api/auth/logout", { method: "POST", headers: { cookie: header(order) } });

      expect(res.status).toBe(401);
      expect(res.json.error).toBe("ambiguous_session");
      expectClearedEverywhere(res.setCookies);
      expect(await conflictEvents()).toHaveLength(eventsBefore + 1);
      // The __Host-access cookie cannot be planted by a sibling: it names the victim's own
      // session, which signing out ends. The planted (attacker's) session is not touched.
      expect((await call(r.me.GET, "/api/me", { headers: { cookie: `__Host-access=${victim.access}` } })).status).toBe(
        401,
      );
      expect(
        (
          await call(r.refresh.POST, "/api/auth/refresh", {
            method: "POST",
            headers: { cookie: `__Secure-refresh=${victim.refresh}` },
          })
        ).status,
      ).toBe(401);
      expect(
        (
          await call(r.refresh.POST, "/api/auth/refresh", {
            method: "POST",
            headers: { cookie: `__Secure-refresh=${attacker.refresh}` },
          })
        ).status,
      ).toBe(200);
    });

    it(`(${order}) without an access cookie, nothing is revoked at all`, async () => {
      const { victim, attacker, header } = await tossed();
      const before = await databaseSnapshot();
      const cookie = header(order).replace(/^__Host-access=[^;]+; /, "");
      const res = await call(r.logout.POST, "/api/auth/logout", { method: "POST", headers: { cookie } });
      expect(res.status).toBe(401);
      expect(await databaseSnapshot()).toBe(before);
      await bothStillWork(victim, attacker);
    });
  }

  it("an identical duplicate signs out as usual", async () => {
    const victim = await signedIn("duplicate-logout");
    const cookie = `__Host-access=${victim.access}; __Secure-refresh=${victim.refresh}; __Secure-refresh=${victim.refresh}`;
    expect((await call(r.logout.POST, "/api/auth/logout", { method: "POST", headers: { cookie } })).status).toBe(200);
    expect(
      (
        await call(r.refresh.POST, "/api/auth/refresh", {
          method: "POST",
          headers: { cookie: `__Secure-refresh=${victim.refresh}` },
        })
      ).status,
    ).toBe(401);
  });
});

describe("signing in removes a planted copy", () => {
  it("login and register clear the refresh cookie at / and /api and set the new one at /api/auth", async () => {
    const { email } = await signedIn("relogin");
    const login = await call(r.login.POST, "/api/auth/login", { body: { email, password: "password-123" } });
    const register = await call(r.register.POST, "/api/auth/register", {
      body: { email: `fresh-${++n}@example.com`, password: "password-123" },
    });
    for (const res of [login, register]) {
      expect(res.status).toBeLessThan(300);
      const refresh = res.setCookies.filter((c) => c.name === "__Secure-refresh");
      expect(
        refresh
          .filter((c) => c.maxAge === 0)
          .map((c) => c.path)
          .sort(),
      ).toEqual(["/", "/api"]);
      expect(refresh.filter((c) => c.value !== "")).toEqual([expect.objectContaining({ path: "/api/auth" })]);
      for (const c of refresh) expect(c.attrs).toMatch(/(^|; )Secure(;|$)/);
      // One line per cookie: the new access cookie is not preceded by a clearing line for it.
      expect(res.setCookies.filter((c) => c.name === "__Host-access")).toHaveLength(1);
    }
  });

  it("on a real domain the clearing lines also name the host and its parents (a host-only deletion leaves a Domain= cookie)", () => {
    expect(cookieDomainsFor("app.example.com")).toEqual(["app.example.com", "example.com"]);
    for (const host of ["localhost", "127.0.0.1", "[::1]"]) expect(cookieDomainsFor(host)).toEqual([]);
    const clears = clearedCookies("app.example.com").filter((c) => c.name === "__Secure-refresh");
    expect(clears.map((c) => `${c.domain ?? "(host)"} ${c.path}`).sort()).toEqual(
      ["(host)", "app.example.com", "example.com"]
        .flatMap((d) => ["/", "/api", "/api/auth"].map((p) => `${d} ${p}`))
        .sort(),
    );
  });
});

describe("two different access cookies", () => {
  it("are no access token at all: /api/me is a 401; an identical duplicate works", async () => {
    const a = await signedIn("access-a");
    const b = await signedIn("access-b");
    for (const cookie of [
      `__Host-access=${a.access}; __Host-access=${b.access}`,
      `__Host-access=${b.access}; __Host-access=${a.access}`,
    ]) {
      const res = await call(r.me.GET, "/api/me", { headers: { cookie } });
      expect(res.status).toBe(401);
      expect(res.text).not.toContain(a.email);
      expect(res.text).not.toContain(b.email);
    }
    const same = await call(r.me.GET, "/api/me", {
      headers: { cookie: `__Host-access=${a.access}; __Host-access=${a.access}` },
    });
    expect(same.status).toBe(200);
  });
});

describe("readCookie", () => {
  it("sees every value of a repeated name, in any position, quoted or not", () => {
    expect(readCookie("a=1; __Secure-refresh=x; b=2", "__Secure-refresh")).toEqual({ conflict: false, value: "x" });
    expect(readCookie('__Secure-refresh=x;__Secure-refresh="x"', "__Secure-refresh")).toEqual({
      conflict: false,
      value: "x",
    });
    expect(readCookie("__Secure-refresh=x; __Secure-refresh=%ZZ", "__Secure-refresh")).toEqual({
      conflict: true,
      count: 2,
    });
    expect(readCookie("x__Secure-refresh=y; __Secure-refresh=x", "__Secure-refresh")).toEqual({
      conflict: false,
      value: "x",
    });
    expect(readCookie(null, "__Secure-refresh")).toEqual({ conflict: false, value: undefined });
  });
});
