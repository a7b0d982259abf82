/**
 * The HTTP surface under attack, over real HTTP against the production server: methods, cross-site
 * and non-JSON posts, oversized bodies, security headers on every kind of response (static files,
 * 404s, redirects, API errors), CORS, spoofed client addresses, forged Host, hostile `next`, and
 * ten parallel refreshes with one token.
 */
import { expect, test } from "@playwright/test";
import { MAIN, raw, register, sameOrigin } from "./attack-helpers";
import { ACCESS_COOKIE, REFRESH_COOKIE } from "@/lib/server/cookies";

const STATE_CHANGING = [
  "/api/auth/register",
  "/api/auth/login",
  "/api/auth/refresh",
  "/api/auth/logout",
  "/api/auth/logout-all",
  "/api/auth/password",
];

test.describe("methods", () => {
  test("GET and HEAD on every state-changing route are a 405 with Allow; PUT, PATCH and DELETE are 405 too, never cacheable", async () => {
    for (const path of [...STATE_CHANGING, "/api/auth/sessions/some-id"]) {
      for (const method of ["GET", "HEAD"]) {
        const res = await raw(path, { method });
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.headers.allow, `${method} ${path}`).toMatch(/POST|DELETE/);
        expect(res.headers["cache-control"], `${method} ${path}`).toBe("no-store");
        if (method === "GET") expect(JSON.parse(res.body)).toMatchObject({ error: "method_not_allowed" });
      }
    }
    for (const path of STATE_CHANGING) {
      for (const method of ["PUT", "PATCH", "DELETE"]) {
        const res = await raw(path, { method, headers: { Origin: MAIN } });
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.headers["cache-control"], `${method} ${path}`).toBe("no-store");
      }
    }
  });
});

test.describe("cross-site and non-JSON requests", () => {
  test("a cross-site, Origin: null or origin-less sign-in is a 403 and sets no cookie (login CSRF)", async () => {
    const user = await register("csrf-e2e");
    for (const headers of <Record<string, string>[]>[
      { Origin: "https://evil.example", "Content-Type": "application/json" },
      { Origin: "null", "Content-Type": "application/json" },
      { "Content-Type": "application/json" },
      { "Content-Type": "application/json", "Sec-Fetch-Site": "cross-site" },
    ]) {
      const res = await raw("/api/auth/login", {
        method: "POST",
        headers,
        body: JSON.stringify({ email: user.email, password: user.password }),
      });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(JSON.parse(res.body)).toMatchObject({ error: "cross_site_request" });
      expect(res.setCookies).toEqual([]);
    }
  });

  test("a cross-site logout-all changes nothing: the session still works", async () => {
    const user = await register("csrf-e2e");
    const res = await raw("/api/auth/logout-all", {
      method: "POST",
      headers: { Origin: "https://evil.example", cookie: user.cookie },
    });
    expect(res.status).toBe(403);
    expect((await raw("/api/me", { headers: { cookie: `${ACCESS_COOKIE}=${user.access}` } })).status).toBe(200);
  });

  test("form posts and text/plain to the JSON API are a 415, even from our own origin", async () => {
    const user = await register("form-e2e");
    for (const [type, body] of [
      ["application/x-www-form-urlencoded", `email=${encodeURIComponent(user.email)}&password=${user.password}`],
      [
        "multipart/form-data; boundary=xyz",
        `--xyz\r\nContent-Disposition: form-data; name="email"\r\n\r\n${user.email}\r\n--xyz--\r\n`,
      ],
      ["text/plain", JSON.stringify({ email: user.email, password: user.password })],
    ]) {
      const login = await raw("/api/auth/login", {
        method: "POST",
        headers: { Origin: MAIN, "Content-Type": type },
        body,
      });
      expect(login.status, type).toBe(415);
      expect(login.setCookies).toEqual([]);
      const logout = await raw("/api/auth/logout", {
        method: "POST",
        headers: { Origin: MAIN, "Content-Type": type, cookie: user.cookie },
        body: "x=1",
      });
      expect(logout.status, type).toBe(415);
    }
    expect((await raw("/api/me", { headers: { cookie: `${ACCESS_COOKIE}=${user.access}` } })).status).toBe(200);
  });

  test("a 1 MB chunked body is a 413", async () => {
    const res = await raw("/api/auth/login", {
      method: "POST",
      headers: { ...sameOrigin, "Transfer-Encoding": "chunked" },
      body: JSON.stringify({ email: "a@example.com", password: "p".repeat(1024 * 1024) }),
    });
    expect(res.status).toBe(413);
  });
});

test.describe("security headers on every kind of response", () => {
  test("pages, redirects, API answers, 404s, static files and the JWKS carry them; HSTS in production", async () => {
    const login = await raw("/login");
    const chunk = /\/_next\/static\/[^"']+\.js/.exec(login.body)?.[0];
    expect(chunk, "a static chunk referenced by the login page").toBeTruthy();
    const responses: [string, Awaited<ReturnType<typeof raw>>][] = [
      ["page", login],
      ["home", await raw("/")],
      ["proxy redirect", await raw("/dashboard")],
      ["API 200", await raw("/api/auth/session")],
      ["API 401", await raw("/api/me")],
      ["API 405", await raw("/api/auth/login")],
      ["API 403", await raw("/api/auth/logout", { method: "POST", headers: { Origin: "https://evil.example" } })],
      ["404 page", await raw("/no-such-page")],
      ["404 API", await raw("/api/no-such-route")],
      ["JWKS", await raw("/.well-known/jwks.json")],
      ["static chunk", await raw(chunk!)],
      ["robots.txt", await raw("/robots.txt")],
      ["favicon", await raw("/favicon.ico")],
    ];
    for (const [label, res] of responses) {
      const csp = String(res.headers["content-security-policy"] ?? "");
      expect(csp, label).toContain("frame-ancestors 'none'");
      const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? "";
      expect(scriptSrc, label).not.toContain("'unsafe-inline'");
      expect(res.headers["x-content-type-options"], label).toBe("nosniff");
      expect(res.headers["referrer-policy"], label).toBe("strict-origin-when-cross-origin");
      expect(res.headers["permissions-policy"], label).toContain("camera=()");
      expect(res.headers["strict-transport-security"], label).toMatch(/max-age=\d+/);
      expect(res.headers["x-powered-by"], label).toBeUndefined();
    }
    // Pages: script only by this response's nonce.
    expect(String(login.headers["content-security-policy"])).toMatch(
      /script-src 'self' 'nonce-[^']+' 'strict-dynamic'/,
    );
  });

  test("auth and identity answers are never cached", async () => {
    const user = await register("cache-e2e");
    for (const [label, res] of [
      ["session", await raw("/api/auth/session", { headers: { cookie: user.cookie } })],
      ["me", await raw("/api/me", { headers: { cookie: user.cookie } })],
      ["sessions", await raw("/api/auth/sessions", { headers: { cookie: user.cookie } })],
      ["refresh 401", await raw("/api/auth/refresh", { method: "POST", headers: { Origin: MAIN } })],
      ["login 400", await raw("/api/auth/login", { method: "POST", headers: sameOrigin, body: "{}" })],
    ] as const) {
      expect(res.headers["cache-control"], label).toBe("no-store");
    }
    const dashboard = await raw("/dashboard", { headers: { cookie: user.cookie } });
    expect(dashboard.headers["cache-control"]).toMatch(/no-store/);
  });

  test("no CORS headers for any origin (no allow-list configured), preflight included", async () => {
    for (const path of ["/api/me", "/.well-known/jwks.json", "/api/auth/login", "/api/auth/session"]) {
      for (const method of ["GET", "OPTIONS"]) {
        for (const origin of ["https://evil.example", "null", MAIN]) {
          const res = await raw(path, {
            method,
            headers: {
              Origin: origin,
              "Access-Control-Request-Method": "POST",
              "Access-Control-Request-Headers": "content-type",
            },
          });
          expect(res.headers["access-control-allow-origin"], `${method} ${path} ${origin}`).toBeUndefined();
          expect(res.headers["access-control-allow-credentials"], `${method} ${path} ${origin}`).toBeUndefined();
        }
      }
    }
  });
});

test.describe("client address and host cannot be forged", () => {
  test("a client-sent x-auth-socket-ip, X-Forwarded-For or X-Real-IP does not become the recorded address (the server stamps the socket)", async () => {
    const email = `spoof-${Date.now()}@example.com`;
    const res = await raw("/api/auth/register", {
      method: "POST",
      headers: {
        ...sameOrigin,
        "x-auth-socket-ip": "6.6.6.6",
        "X-Forwarded-For": "7.7.7.7",
        "X-Real-IP": "8.8.8.8",
        Forwarded: "for=9.9.9.9",
      },
      body: JSON.stringify({ email, password: "password-123" }),
    });
    expect(res.status).toBe(201);
    const cookie = res.setCookies
      .filter((c) => c.value)
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
    const sessions = JSON.parse((await raw("/api/auth/sessions", { headers: { cookie } })).body).sessions;
    expect(sessions[0].ip).toBe("127.0.0.1");
  });

  test("the sign-in redirect's Location never comes from a forged Host or X-Forwarded-Host", async () => {
    const res = await raw("/dashboard", {
      headers: { Host: "evil.example", "X-Forwarded-Host": "evil2.example", "X-Forwarded-Proto": "https" },
    });
    expect(res.status).toBe(307);
    const location = String(res.headers.location);
    expect(location).not.toMatch(/evil/);
    const target = new URL(location, MAIN);
    // Built from APP_URL (http://127.0.0.1 and the main server's port); Next prints loopback hosts as "localhost".
    expect(["127.0.0.1", "localhost"]).toContain(target.hostname);
    expect(target.port).toBe(new URL(MAIN).port);
    expect(target.pathname).toBe("/login");
  });
});

test.describe("hostile next after sign-in", () => {
  for (const next of [
    "//evil.example",
    "/.//evil.example",
    "https://evil.example",
    "/%2F%2Fevil.example",
    "/\\evil.example",
    "javascript:alert(1)",
  ]) {
    test(`/login?next=${next} lands on /dashboard`, async ({ page }) => {
      const user = await register("next-e2e");
      await page.goto(`${MAIN}/login?next=${encodeURIComponent(next)}`);
      await page.getByLabel("Email").fill(user.email);
      await page.getByLabel("Password", { exact: true }).fill(user.password);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await expect(page).toHaveURL(`${MAIN}/dashboard`);
    });
  }
});

test.describe("refresh token rotation under a race", () => {
  test("ten parallel refreshes with one token: no 5xx, at most one new refresh token, still signed in", async () => {
    const user = await register("race-e2e");
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        raw("/api/auth/refresh", {
          method: "POST",
          headers: { Origin: MAIN, cookie: `${REFRESH_COOKIE}=${user.refresh}` },
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    const minted = results.flatMap((r) => r.setCookies.filter((c) => c.name === REFRESH_COOKIE && c.value !== ""));
    expect(minted.length).toBeLessThanOrEqual(1);
    const access = results[0].setCookies.find((c) => c.name === ACCESS_COOKIE)!.value;
    expect((await raw("/api/me", { headers: { cookie: `${ACCESS_COOKIE}=${access}` } })).status).toBe(200);
    const current = minted[0]?.value ?? user.refresh;
    const again = await raw("/api/auth/refresh", {
      method: "POST",
      headers: { Origin: MAIN, cookie: `${REFRESH_COOKIE}=${current}` },
    });
    expect(again.status).toBe(200);
  });
});
