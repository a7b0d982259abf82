/**
 * Cross-site request forgery (ASVS 5.0 V3.5.1-3): every state-changing route that a cookie
 * authenticates, login and register included (login CSRF), runs only when Origin is the app's own
 * origin, or when there is no Origin and Sec-Fetch-Site is same-origin. Anything else is a 403
 * with the usual JSON error, no cookie set, nothing in the database changed, and a csrf_refused
 * row in the audit trail. A control per route shows the same request from our own origin works.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { getRuntime } from "@/lib/server/runtime";
import {
  APP,
  CookieJar,
  call,
  configureTestEnv,
  databaseSnapshot as snapshot,
  loadRoutes,
  type CallOptions,
} from "./http-client";

let r: Awaited<ReturnType<typeof loadRoutes>>;

beforeAll(async () => {
  await configureTestEnv();
  r = await loadRoutes();
});

async function csrfEvents() {
  return (await (await getRuntime()).storage.store.recentEvents(10_000)).filter((e) => e.type === "csrf_refused");
}

let n = 0;
async function victim() {
  const jar = new CookieJar();
  const email = `csrf-victim-${++n}@example.com`;
  expect(
    (await call(r.register.POST, "/api/auth/register", { body: { email, password: "password-123" }, jar })).status,
  ).toBe(201);
  const sessions = await call(r.sessions.GET, "/api/auth/sessions", { jar });
  const sid = sessions.json.sessions[0].id as string;
  return { jar, email, sid };
}

type Target = {
  name: string;
  run: (v: Awaited<ReturnType<typeof victim>>, options: CallOptions) => ReturnType<typeof call>;
};

const TARGETS: Target[] = [
  {
    name: "POST /api/auth/register",
    run: (_v, o) =>
      call(r.register.POST, "/api/auth/register", {
        body: { email: `new-${Math.random()}@example.com`, password: "password-123" },
        ...o,
      }),
  },
  {
    name: "POST /api/auth/login (login CSRF)",
    run: (v, o) => call(r.login.POST, "/api/auth/login", { body: { email: v.email, password: "password-123" }, ...o }),
  },
  {
    name: "POST /api/auth/refresh",
    run: (v, o) => call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar: v.jar, ...o }),
  },
  {
    name: "POST /api/auth/logout",
    run: (v, o) => call(r.logout.POST, "/api/auth/logout", { method: "POST", jar: v.jar, ...o }),
  },
  {
    name: "POST /api/auth/logout-all",
    run: (v, o) => call(r.logoutAll.POST, "/api/auth/logout-all", { method: "POST", jar: v.jar, ...o }),
  },
  {
    name: "POST /api/auth/password",
    run: (v, o) =>
      call(r.password.POST, "/api/auth/password", {
        body: { currentPassword: "password-123", newPassword: "attacker-chosen-1" },
        jar: v.jar,
        ...o,
      }),
  },
  {
    name: "DELETE /api/auth/sessions/:id",
    run: (v, o) =>
      call(r.sessionById.DELETE, `/api/auth/sessions/${v.sid}`, {
        method: "DELETE",
        jar: v.jar,
        params: { id: v.sid },
        ...o,
      }),
  },
];

/** Hostile Origin / Sec-Fetch-Site combinations; `origin: null` means no Origin header at all. */
const HOSTILE: { label: string; origin: string | null; headers?: Record<string, string> }[] = [
  { label: "Origin https://evil.example", origin: "https://evil.example" },
  { label: "Origin null (sandboxed iframe, data: URL)", origin: "null" },
  { label: "Origin that starts with ours (http://localhost:3000.evil.example)", origin: `${APP}.evil.example` },
  { label: "Origin on another port (http://localhost:3001)", origin: "http://localhost:3001" },
  { label: "Origin with another scheme (https://localhost:3000)", origin: "https://localhost:3000" },
  { label: "Origin with a trailing slash", origin: `${APP}/` },
  { label: "Origin with a path", origin: `${APP}/dashboard` },
  { label: "Origin of a sibling subdomain (same-site, not same-origin)", origin: "http://evil.localhost:3000" },
  {
    label: "evil Origin even with Sec-Fetch-Site: same-origin",
    origin: "https://evil.example",
    headers: { "sec-fetch-site": "same-origin" },
  },
  { label: "no Origin, no Sec-Fetch-Site", origin: null },
  { label: "no Origin, Sec-Fetch-Site: cross-site", origin: null, headers: { "sec-fetch-site": "cross-site" } },
  { label: "no Origin, Sec-Fetch-Site: same-site", origin: null, headers: { "sec-fetch-site": "same-site" } },
  { label: "no Origin, Sec-Fetch-Site: none", origin: null, headers: { "sec-fetch-site": "none" } },
  { label: "no Origin, Referer of our own site only", origin: null, headers: { referer: `${APP}/dashboard` } },
];

describe("cross-site requests are refused on every state-changing route, nothing changes, a trace is left", () => {
  for (const target of TARGETS) {
    it(`${target.name}: ${HOSTILE.length} hostile Origin/Sec-Fetch-Site combinations → 403`, async () => {
      const v = await victim();
      const before = await snapshot();
      const eventsBefore = (await csrfEvents()).length;
      for (const attack of HOSTILE) {
        const res = await target.run(v, {
          origin: attack.origin,
          headers: { "user-agent": "csrf-test-agent", ...attack.headers },
        });
        expect(res.status, attack.label).toBe(403);
        expect(res.json, attack.label).toEqual({ error: "cross_site_request", message: expect.any(String) });
        expect(res.setCookies, attack.label).toEqual([]);
        expect(res.headers.get("access-control-allow-origin"), attack.label).toBeNull();
      }
      expect(await snapshot()).toBe(before);
      const events = await csrfEvents();
      expect(events.length - eventsBefore).toBe(HOSTILE.length);
      for (const e of events.slice(0, HOSTILE.length)) {
        expect(e.ip).toBe("198.51.100.10");
        expect(e.userAgent).toBe("csrf-test-agent");
        expect(JSON.parse(e.detail).path).toMatch(/^\/api\/auth\//);
      }
      // The victim is still signed in.
      expect((await call(r.me.GET, "/api/me", { jar: v.jar })).status).toBe(200);
    });
  }

  it("(control) each route accepts the same request from our own origin, or with no Origin and Sec-Fetch-Site: same-origin", async () => {
    for (const target of TARGETS) {
      const res = await target.run(await victim(), { origin: APP });
      expect(res.status, target.name).toBeLessThan(300);
      const bare = await target.run(await victim(), { origin: null, headers: { "sec-fetch-site": "same-origin" } });
      expect(bare.status, `${target.name} (Sec-Fetch-Site)`).toBeLessThan(300);
    }
  });

  it("login CSRF: a cross-site login with the attacker's credentials sets no cookie in the victim's browser", async () => {
    const attacker = await victim();
    const browser = new CookieJar();
    const res = await call(r.login.POST, "/api/auth/login", {
      body: { email: attacker.email, password: "password-123" },
      jar: browser,
      origin: "https://evil.example",
    });
    expect(res.status).toBe(403);
    expect(browser.cookies.size).toBe(0);
  });

  it("the recorded Origin is truncated, so a huge header cannot bloat the audit trail", async () => {
    const v = await victim();
    await call(r.logout.POST, "/api/auth/logout", {
      method: "POST",
      jar: v.jar,
      origin: `https://${"a".repeat(5000)}.example`,
    });
    const [latest] = await csrfEvents();
    expect(JSON.parse(latest.detail).origin.length).toBeLessThanOrEqual(200);
  });
});

describe("read-only routes do not need the check (and never change state)", () => {
  it("GET /api/me and /api/auth/session answer a cross-site GET without CORS headers, so a page elsewhere cannot read them", async () => {
    const v = await victim();
    for (const [handler, path] of [
      [r.me.GET, "/api/me"],
      [r.session.GET, "/api/auth/session"],
      [r.sessions.GET, "/api/auth/sessions"],
    ] as const) {
      const res = await call(handler, path, { jar: v.jar, origin: "https://evil.example" });
      expect(res.headers.get("access-control-allow-origin"), path).toBeNull();
      expect(res.headers.get("access-control-allow-credentials"), path).toBeNull();
    }
  });
});
