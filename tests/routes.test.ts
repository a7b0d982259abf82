import { beforeAll, describe, expect, it } from "vitest";
import { APP, CookieJar, call, configureTestEnv, loadRoutes } from "./http-client";

let r: Awaited<ReturnType<typeof loadRoutes>>;
beforeAll(async () => {
  await configureTestEnv({ ACCESS_TOKEN_TTL: "15m", REFRESH_REUSE_GRACE: "0" });
  r = await loadRoutes();
});

let n = 0;
async function newUser() {
  const jar = new CookieJar();
  const email = `user${++n}@example.com`;
  const res = await call(r.register.POST, "/api/auth/register", { body: { email, password: "password-123" }, jar });
  expect(res.status).toBe(201);
  return { jar, email, id: res.json.user.id as string };
}

describe("register and login", () => {
  it("sets both cookies with the exact attributes and never puts a token in the body", async () => {
    const jar = new CookieJar();
    const res = await call(r.register.POST, "/api/auth/register", {
      body: { email: "Cookie@Example.com", password: "password-123", name: "C" },
      jar,
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    // The only lines with a value; the others clear planted refresh copies (tests/attacks-cookie-tossing.test.ts).
    const access = res.setCookies.find((c) => c.name === "__Host-access" && c.value)!;
    const refresh = res.setCookies.find((c) => c.name === "__Secure-refresh" && c.value)!;
    expect(access.attrs).toMatch(/Path=\//);
    expect(access.attrs).toMatch(/Max-Age=900/);
    expect(refresh.attrs).toMatch(/Path=\/api\/auth/);
    for (const c of [access, refresh]) {
      expect(c.attrs).toMatch(/HttpOnly/i);
      expect(c.attrs).toMatch(/Secure/i);
      expect(c.attrs).toMatch(/SameSite=strict/i);
    }
    expect(res.text).not.toContain(access.value);
    expect(res.text).not.toContain(refresh.value);
    expect(res.json.user).toMatchObject({ email: "cookie@example.com", name: "C", role: "user" });
  });

  it("answers wrong credentials with the same 401 body whether or not the email exists", async () => {
    const { email } = await newUser();
    const wrong = await call(r.login.POST, "/api/auth/login", { body: { email, password: "wrong-password" } });
    const unknown = await call(r.login.POST, "/api/auth/login", {
      body: { email: "ghost@example.com", password: "wrong-password" },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.text).toBe(unknown.text);
  });

  it("refuses a duplicate email with 409", async () => {
    const { email } = await newUser();
    const res = await call(r.register.POST, "/api/auth/register", { body: { email, password: "password-123" } });
    expect(res.status).toBe(409);
    expect(res.json.error).toBe("email_taken");
  });

  it("rejects bad input with 400, never 500", async () => {
    const cases: [string, object][] = [
      ["not json", { rawBody: "{nope", headers: { "content-type": "application/json" } }],
      ["short password", { body: { email: "x@example.com", password: "short" } }],
      ["bad email", { body: { email: "not-an-email", password: "password-123" } }],
      ["unknown key", { body: { email: "x@example.com", password: "password-123", role: "admin" } }],
      ["array", { body: [1, 2] }],
      ["257-char password", { body: { email: "x@example.com", password: "a".repeat(257) } }],
    ];
    for (const [label, options] of cases) {
      const res = await call(r.register.POST, "/api/auth/register", options);
      expect(res.status, label).toBe(400);
      expect(res.json, label).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    }
  });

  it("validation errors are data: invalid_request with each field's problem under fields, no string to parse", async () => {
    const res = await call(r.register.POST, "/api/auth/register", {
      body: { email: "not-an-email", password: "short", name: "x".repeat(101), role: "admin" },
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      error: "invalid_request",
      message: expect.any(String),
      fields: {
        email: "Enter a valid email address.",
        password: "Use at least 8 characters.",
        name: "Use at most 100 characters for your name.",
        role: expect.stringMatching(/unrecognized key/i),
      },
    });
    // Malformed JSON has no field to blame: the message alone.
    const broken = await call(r.register.POST, "/api/auth/register", {
      rawBody: "{nope",
      headers: { "content-type": "application/json" },
    });
    expect(broken.json).toEqual({ error: "invalid_json", message: expect.any(String) });
  });

  it("accepts only application/json bodies", async () => {
    const res = await call(r.login.POST, "/api/auth/login", {
      rawBody: JSON.stringify({ email: "a@example.com", password: "password-123" }),
      headers: { "content-type": "text/plain" },
    });
    expect(res.status).toBe(415);
  });

  it("login always starts a new family, ignoring a planted refresh cookie", async () => {
    const { jar, email } = await newUser();
    const before = jar.get("__Secure-refresh");
    const res = await call(r.login.POST, "/api/auth/login", { body: { email, password: "password-123" }, jar });
    expect(res.status).toBe(200);
    expect(jar.get("__Secure-refresh")).not.toBe(before);
    const sessions = await call(r.sessions.GET, "/api/auth/sessions", { jar });
    expect(sessions.json.sessions).toHaveLength(2);
  });

  it("answers GET on a state-changing route with 405", async () => {
    const res = await call(r.login.GET as never, "/api/auth/login", { method: "GET" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });
});

describe("refresh", () => {
  it("rotates the refresh cookie and keeps the user signed in", async () => {
    const { jar } = await newUser();
    const old = jar.get("__Secure-refresh");
    const res = await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar });
    expect(res.status).toBe(200);
    expect(jar.get("__Secure-refresh")).not.toBe(old);
    expect(res.text).not.toContain(jar.get("__Secure-refresh")!);
    expect((await call(r.me.GET, "/api/me", { jar })).status).toBe(200);
  });

  it("reuse of a rotated token whose successor was used (grace 0) revokes the family and clears both cookies", async () => {
    const { jar } = await newUser();
    const thief = jar.clone();
    await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar });
    await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar });
    const replay = await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar: thief });
    expect(replay.status).toBe(401);
    expect(replay.json.error).toBe("session_revoked_reuse");
    const cleared = replay.setCookies.filter((c) => c.maxAge === 0);
    expect(cleared.map((c) => [c.name, c.path])).toEqual(
      expect.arrayContaining([
        ["__Host-access", "/"],
        ["__Secure-refresh", "/api/auth"],
      ]),
    );
    expect(cleared.every((c) => /Secure/i.test(c.attrs))).toBe(true);
    // The victim's newer token is dead as well.
    expect((await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar })).status).toBe(401);
    expect((await call(r.me.GET, "/api/me", { jar })).status).toBe(401);
  });

  it("without a refresh cookie answers 401", async () => {
    const res = await call(r.refresh.POST, "/api/auth/refresh", { method: "POST" });
    expect(res.status).toBe(401);
  });
});

describe("identity", () => {
  it("GET /api/me accepts the cookie or a Bearer token and returns the user", async () => {
    const { jar, email } = await newUser();
    const viaCookie = await call(r.me.GET, "/api/me", { jar });
    expect(viaCookie.json).toEqual({
      user: { id: expect.any(String), email, name: null, role: "user", emailVerified: false },
    });
    expect(viaCookie.headers.get("cache-control")).toBe("no-store");
    const bearer = await call(r.me.GET, "/api/me", {
      headers: { authorization: `Bearer ${jar.get("__Host-access")}` },
    });
    expect(bearer.status).toBe(200);
    expect((await call(r.me.GET, "/api/me", {})).status).toBe(401);
  });

  it("the refresh token is not a bearer token (typ confusion)", async () => {
    const { jar } = await newUser();
    const res = await call(r.me.GET, "/api/me", {
      headers: { authorization: `Bearer ${jar.get("__Secure-refresh")}` },
    });
    expect(res.status).toBe(401);
  });

  it("GET /api/auth/session reports the access state without any token", async () => {
    const { jar } = await newUser();
    const res = await call(r.session.GET, "/api/auth/session", { jar });
    expect(res.json.status).toBe("authenticated");
    expect(res.json.accessExpiresAt).toBeGreaterThan(Date.now());
    expect(res.text).not.toContain(jar.get("__Host-access")!);
    expect((await call(r.session.GET, "/api/auth/session", {})).json).toEqual({ status: "unauthenticated" });
  });

  it("serves only public key material at /.well-known/jwks.json", async () => {
    const res = await call(r.jwks.GET as never, "/.well-known/jwks.json", {});
    expect(res.headers.get("cache-control")).toMatch(/max-age=\d+/);
    expect(res.json.keys).toHaveLength(1);
    const [key] = res.json.keys;
    expect(key).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig", kid: expect.any(String) });
    for (const secret of ["d", "p", "q", "dp", "dq", "qi", "k"]) expect(key).not.toHaveProperty(secret);
  });
});

describe("revocation over HTTP", () => {
  it("logout revokes the session, deny-lists the access token and clears cookies", async () => {
    const { jar } = await newUser();
    const stolenAccess = jar.get("__Host-access")!;
    const res = await call(r.logout.POST, "/api/auth/logout", { method: "POST", jar });
    expect(res.status).toBe(200);
    expect(jar.get("__Host-access")).toBeUndefined();
    expect(jar.get("__Secure-refresh")).toBeUndefined();
    const replay = await call(r.me.GET, "/api/me", { headers: { authorization: `Bearer ${stolenAccess}` } });
    expect(replay.status).toBe(401);
  });

  it("logout-all ends the calling session too", async () => {
    const { jar, email } = await newUser();
    const other = new CookieJar();
    await call(r.login.POST, "/api/auth/login", { body: { email, password: "password-123" }, jar: other });
    const before = jar.clone();
    expect((await call(r.logoutAll.POST, "/api/auth/logout-all", { method: "POST", jar })).status).toBe(200);
    expect((await call(r.me.GET, "/api/me", { jar: before })).status).toBe(401);
    expect((await call(r.me.GET, "/api/me", { jar: other })).status).toBe(401);
    expect((await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar: other })).status).toBe(401);
  });

  it("lists active sessions with the current one marked and ends another; another user's id is 404", async () => {
    const { jar, email } = await newUser();
    const laptop = new CookieJar();
    await call(r.login.POST, "/api/auth/login", {
      body: { email, password: "password-123" },
      jar: laptop,
      headers: {
        "user-agent":
          "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15",
      },
    });
    const list = await call(r.sessions.GET, "/api/auth/sessions", { jar });
    expect(list.json.sessions).toHaveLength(2);
    const current = list.json.sessions.find((s: { current: boolean }) => s.current);
    const other = list.json.sessions.find((s: { current: boolean }) => !s.current);
    expect(current).toBeTruthy();
    expect(other.browser).toMatch(/Safari/);
    const mallory = await newUser();
    const forbidden = await call(r.sessionById.DELETE, `/api/auth/sessions/${other.id}`, {
      method: "DELETE",
      jar: mallory.jar,
      params: { id: other.id },
    });
    expect(forbidden.status).toBe(404);
    const ended = await call(r.sessionById.DELETE, `/api/auth/sessions/${other.id}`, {
      method: "DELETE",
      jar,
      params: { id: other.id },
    });
    expect(ended.status).toBe(200);
    expect((await call(r.me.GET, "/api/me", { jar: laptop })).status).toBe(401);
    expect((await call(r.me.GET, "/api/me", { jar })).status).toBe(200);
  });

  it("password change: wrong current password is a 4xx; afterwards this session works and others end", async () => {
    const { jar, email } = await newUser();
    const other = new CookieJar();
    await call(r.login.POST, "/api/auth/login", { body: { email, password: "password-123" }, jar: other });
    const wrong = await call(r.password.POST, "/api/auth/password", {
      body: { currentPassword: "nope-nope", newPassword: "new-password-1" },
      jar,
    });
    expect(wrong.status).toBe(400);
    const stolenCopy = jar.get("__Secure-refresh");
    const ok = await call(r.password.POST, "/api/auth/password", {
      body: { currentPassword: "password-123", newPassword: "new-password-1" },
      jar,
    });
    expect(ok.status).toBe(200);
    // This device gets a new refresh token with the change; a stolen copy of the old one is dead.
    const refreshCookie = ok.setCookies.find((c) => c.name === "__Secure-refresh");
    expect(refreshCookie?.value).toBeTruthy();
    expect(refreshCookie?.value).not.toBe(stolenCopy);
    expect(refreshCookie?.path).toBe("/api/auth");
    expect((await call(r.me.GET, "/api/me", { jar })).status).toBe(200);
    expect((await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar })).status).toBe(200);
    expect((await call(r.me.GET, "/api/me", { jar })).status).toBe(200);
    expect((await call(r.me.GET, "/api/me", { jar: other })).status).toBe(401);
    expect((await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar: other })).status).toBe(401);
  });
});

describe("cross-site requests", () => {
  it("refuses a cross-site or Origin: null state change with 403 and changes nothing", async () => {
    const { jar } = await newUser();
    for (const origin of ["https://evil.example", "null"]) {
      const res = await call(r.logoutAll.POST, "/api/auth/logout-all", { method: "POST", jar, origin });
      expect(res.status).toBe(403);
    }
    expect((await call(r.me.GET, "/api/me", { jar })).status).toBe(200);
  });

  it("accepts no Origin only with Sec-Fetch-Site: same-origin", async () => {
    const { jar } = await newUser();
    const bare = await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar, origin: null });
    expect(bare.status).toBe(403);
    const same = await call(r.refresh.POST, "/api/auth/refresh", {
      method: "POST",
      jar,
      origin: null,
      headers: { "sec-fetch-site": "same-origin" },
    });
    expect(same.status).toBe(200);
    expect(APP).toBe("http://localhost:3000");
  });
});
