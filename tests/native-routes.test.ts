/**
 * The token and revocation endpoints over HTTP (route handlers): OAuth 2.0 request and error
 * shapes (RFC 6749 §5), no cookies read or set, DPoP-bound sessions (RFC 9449), and the same
 * limits as sign-in. Requests come with no Origin, as a native app's do.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createDpopProof, generateDpopKey, type DpopKey } from "@/lib/native/dpop-proof";
import { APP, CookieJar, call, configureTestEnv, loadRoutes } from "./http-client";

let r: Awaited<ReturnType<typeof loadRoutes>>;
let token: typeof import("@/app/api/auth/token/route");
let revoke: typeof import("@/app/api/auth/revoke/route");
const PASSWORD = "password-123";

beforeAll(async () => {
  await configureTestEnv({
    // The password grant is off by default (tests/native-browser-routes.test.ts): these tests are about it.
    AUTH_PASSWORD_GRANT: "on",
    AUTH_RATE_LIMIT: "on",
    RATE_LIMIT_LOGIN_PER_ACCOUNT: "3",
    RATE_LIMIT_LOGIN_PER_IP: "1000",
    RATE_LIMIT_REFRESH_PER_IP: "1000",
  });
  r = await loadRoutes();
  token = await import("@/app/api/auth/token/route");
  revoke = await import("@/app/api/auth/revoke/route");
});

let n = 0;
let ipCounter = 0;
const freshIp = () => `198.20.${Math.floor(++ipCounter / 250)}.${(ipCounter % 250) + 1}`;
async function newUser() {
  const email = `native-${++n}@example.com`;
  expect(
    (
      await call(r.register.POST, "/api/auth/register", {
        body: { email, password: PASSWORD },
        headers: { "x-auth-socket-ip": freshIp() },
      })
    ).status,
  ).toBe(201);
  return email;
}

const TOKEN_URL = `${APP}/api/auth/token`;
const ME_URL = `${APP}/api/me`;

async function tokenRequest(
  body: unknown,
  options: { dpop?: DpopKey; proof?: string; ip?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = {
    "user-agent": "ExampleApp/1.0",
    "x-auth-socket-ip": options.ip ?? freshIp(),
    ...options.headers,
  };
  if (options.proof) headers.dpop = options.proof;
  else if (options.dpop) headers.dpop = await createDpopProof(options.dpop, { method: "POST", url: TOKEN_URL });
  return call(token.POST, "/api/auth/token", { body, headers, origin: null });
}

async function me(accessToken: string, scheme: "Bearer" | "DPoP", key?: DpopKey) {
  const headers: Record<string, string> = { authorization: `${scheme} ${accessToken}` };
  if (key) headers.dpop = await createDpopProof(key, { method: "GET", url: ME_URL, accessToken });
  return call(r.me.GET, "/api/me", { headers, origin: null });
}

describe("POST /api/auth/token", () => {
  it("password grant: tokens in the body, Bearer, no-store, no cookies set", async () => {
    const email = await newUser();
    const res = await tokenRequest({ grant_type: "password", email, password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      access_token: expect.any(String),
      token_type: "Bearer",
      expires_in: 900,
      refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{92}$/),
    });
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.setCookies).toEqual([]);
    expect((await me(res.json.access_token, "Bearer")).json.user.email).toBe(email);
  });

  it("refresh grant rotates; errors are RFC 6749 shapes", async () => {
    const email = await newUser();
    const first = await tokenRequest({ grant_type: "password", email, password: PASSWORD });
    const second = await tokenRequest({ grant_type: "refresh_token", refresh_token: first.json.refresh_token });
    expect(second.status).toBe(200);
    expect(second.json.refresh_token).not.toBe(first.json.refresh_token);
    const cases: [unknown, string][] = [
      [{ grant_type: "refresh_token", refresh_token: "A".repeat(43) }, "invalid_grant"],
      [{ grant_type: "password", email, password: "wrong-password" }, "invalid_grant"],
      [{ grant_type: "client_credentials" }, "unsupported_grant_type"],
      [{ grant_type: "password", email }, "invalid_request"],
      [{ email, password: PASSWORD }, "invalid_request"],
      [{ grant_type: "password", email, password: PASSWORD, scope: "admin" }, "invalid_request"],
    ];
    for (const [body, error] of cases) {
      const res = await tokenRequest(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json, JSON.stringify(body)).toEqual({ error, error_description: expect.any(String) });
    }
  });

  it("reads no cookies: a browser's cookies change nothing, and a browser refresh token is refused without being burnt", async () => {
    const email = await newUser();
    const jar = new CookieJar();
    await call(r.login.POST, "/api/auth/login", { body: { email, password: PASSWORD }, jar });
    const browserToken = jar.get("__Secure-refresh")!;
    const res = await tokenRequest(
      { grant_type: "refresh_token", refresh_token: browserToken },
      { headers: { cookie: jar.headerFor("/api/auth/token") } },
    );
    expect(res.status).toBe(400);
    expect(res.json.error).toBe("invalid_grant");
    expect((await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar })).status).toBe(200);
  });

  it("a native refresh token is refused as the cookie (and not burnt)", async () => {
    const email = await newUser();
    const native = await tokenRequest({ grant_type: "password", email, password: PASSWORD });
    const res = await call(r.refresh.POST, "/api/auth/refresh", {
      method: "POST",
      headers: { cookie: `__Secure-refresh=${native.json.refresh_token}` },
    });
    expect(res.status).toBe(401);
    expect((await tokenRequest({ grant_type: "refresh_token", refresh_token: native.json.refresh_token })).status).toBe(
      200,
    );
  });

  it("shares sign-in's per-account back-off: alternating between the two routes gains nothing", async () => {
    const email = await newUser();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res =
        i % 2 === 0
          ? await tokenRequest({ grant_type: "password", email, password: "wrong-password" })
          : await call(r.login.POST, "/api/auth/login", {
              body: { email, password: "wrong-password" },
              headers: { "x-auth-socket-ip": freshIp() },
            });
      statuses.push(res.status);
    }
    // 3 free attempts + the one that takes the lock, then 429 on either route.
    expect(statuses.slice(0, 4).every((s) => s === 400 || s === 401)).toBe(true);
    expect(statuses.slice(4)).toEqual([429, 429]);
  });
});

describe("DPoP over HTTP", () => {
  it("a proof at sign-in: token_type DPoP; /api/me needs the DPoP scheme with a proof from the key", async () => {
    const email = await newUser();
    const key = await generateDpopKey();
    const res = await tokenRequest({ grant_type: "password", email, password: PASSWORD }, { dpop: key });
    expect(res.json.token_type).toBe("DPoP");
    const access = res.json.access_token as string;
    expect((await me(access, "DPoP", key)).status).toBe(200);
    const asBearer = await me(access, "Bearer");
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers.get("www-authenticate")).toMatch(/^DPoP /);
    expect((await call(r.me.GET, "/api/me", { headers: { cookie: `__Host-access=${access}` } })).status).toBe(401);
    expect((await me(access, "DPoP", await generateDpopKey())).status).toBe(401);
    expect((await me(access, "DPoP")).status).toBe(401);
  });

  it("a stolen bound refresh token is useless without the key; the owner's next refresh still works", async () => {
    const email = await newUser();
    const key = await generateDpopKey();
    const signedIn = await tokenRequest({ grant_type: "password", email, password: PASSWORD }, { dpop: key });
    const stolen = signedIn.json.refresh_token;
    expect((await tokenRequest({ grant_type: "refresh_token", refresh_token: stolen })).json.error).toBe(
      "invalid_dpop_proof",
    );
    expect(
      (await tokenRequest({ grant_type: "refresh_token", refresh_token: stolen }, { dpop: await generateDpopKey() }))
        .json.error,
    ).toBe("invalid_dpop_proof");
    const owner = await tokenRequest({ grant_type: "refresh_token", refresh_token: stolen }, { dpop: key });
    expect(owner.status).toBe(200);
    expect(owner.json.token_type).toBe("DPoP");
  });

  it("refused proofs: replayed, for another URL, malformed — and none of them burns the refresh token", async () => {
    const email = await newUser();
    const key = await generateDpopKey();
    const signedIn = await tokenRequest({ grant_type: "password", email, password: PASSWORD }, { dpop: key });
    const proof = await createDpopProof(key, { method: "POST", url: TOKEN_URL });
    const grant = { grant_type: "refresh_token", refresh_token: signedIn.json.refresh_token };
    expect(
      (await tokenRequest(grant, { proof: await createDpopProof(key, { method: "POST", url: `${APP}/api/me` }) })).json
        .error,
    ).toBe("invalid_dpop_proof");
    expect((await tokenRequest(grant, { proof: "not.a.proof" })).json.error).toBe("invalid_dpop_proof");
    expect((await tokenRequest(grant, { proof })).status).toBe(200);
    // The same proof again: a replay.
    const replay = await tokenRequest({ grant_type: "password", email, password: PASSWORD }, { proof });
    expect(replay.json.error).toBe("invalid_dpop_proof");
  });
});

describe("the cheap checks come before a proof's signature (attack run, finding 3)", () => {
  it("a forged access token with a valid proof is refused without touching the proof: the proof still works after", async () => {
    const email = await newUser();
    const key = await generateDpopKey();
    const signedIn = await tokenRequest({ grant_type: "password", email, password: PASSWORD }, { dpop: key });
    const access = signedIn.json.access_token as string;
    const forged = `${access.split(".").slice(0, 2).join(".")}.${"A".repeat(86)}`;
    const proof = await createDpopProof(key, { method: "GET", url: ME_URL, accessToken: access });
    const refused = await call(r.me.GET, "/api/me", {
      headers: { authorization: `DPoP ${forged}`, dpop: proof },
      origin: null,
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toContain('error="invalid_token"');
    // Not checked, so not remembered: the owner's request with the same proof goes through.
    const owner = await call(r.me.GET, "/api/me", {
      headers: { authorization: `DPoP ${access}`, dpop: proof },
      origin: null,
    });
    expect(owner.status).toBe(200);
  });
});

describe("POST /api/auth/revoke (RFC 7009)", () => {
  it("a DPoP-bound session is ended only with a proof from its key (attack run, finding 4)", async () => {
    const email = await newUser();
    const key = await generateDpopKey();
    const signedIn = await tokenRequest({ grant_type: "password", email, password: PASSWORD }, { dpop: key });
    const stolen = signedIn.json.refresh_token as string;
    const revokeWith = async (dpop?: DpopKey) =>
      call(revoke.POST, "/api/auth/revoke", {
        body: { token: stolen },
        origin: null,
        headers: dpop ? { dpop: await createDpopProof(dpop, { method: "POST", url: `${APP}/api/auth/revoke` }) } : {},
      });
    for (const attempt of [await revokeWith(), await revokeWith(await generateDpopKey())]) {
      expect(attempt.status).toBe(400);
      expect(attempt.json).toEqual({ error: "invalid_dpop_proof", error_description: expect.any(String) });
    }
    // The thief's attempts changed nothing: the owner's session lives, and the owner can end it.
    expect((await me(signedIn.json.access_token, "DPoP", key)).status).toBe(200);
    expect((await revokeWith(key)).status).toBe(200);
    expect((await me(signedIn.json.access_token, "DPoP", key)).status).toBe(401);
  });

  it("every error is RFC 6749's shape, 413 and 429 included (attack run, finding 5)", async () => {
    const big = { grant_type: "password", email: "a@example.com", password: "x".repeat(5000) };
    for (const [handler, path] of [
      [token.POST, "/api/auth/token"],
      [revoke.POST, "/api/auth/revoke"],
    ] as const) {
      const tooLarge = await call(handler, path, { body: big, origin: null });
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.json).toEqual({ error: "body_too_large", error_description: expect.any(String) });
      const notJson = await call(handler, path, {
        rawBody: "{",
        headers: { "content-type": "application/json" },
        origin: null,
      });
      expect(notJson.json).toEqual({ error: "invalid_request", error_description: expect.any(String) });
    }
    const email = await newUser();
    const ip = freshIp();
    let limited;
    for (let i = 0; i < 10 && limited?.status !== 429; i++)
      limited = await tokenRequest({ grant_type: "password", email, password: "wrong-password" }, { ip });
    expect(limited?.status).toBe(429);
    expect(limited?.json).toEqual({ error: "rate_limited", error_description: expect.any(String) });
    expect(limited?.headers.get("retry-after")).toMatch(/^\d+$/);
    const get = await token.GET();
    expect(get.status).toBe(405);
    expect(await get.json()).toEqual({ error: "method_not_allowed", error_description: expect.any(String) });
  });

  it("ends the token's session; 200 for unknown tokens too", async () => {
    const email = await newUser();
    const signedIn = await tokenRequest({ grant_type: "password", email, password: PASSWORD });
    const res = await call(revoke.POST, "/api/auth/revoke", {
      body: { token: signedIn.json.refresh_token },
      origin: null,
    });
    expect(res.status).toBe(200);
    expect((await me(signedIn.json.access_token, "Bearer")).status).toBe(401);
    expect(
      (await tokenRequest({ grant_type: "refresh_token", refresh_token: signedIn.json.refresh_token })).json.error,
    ).toBe("invalid_grant");
    for (const t of ["A".repeat(43), "garbage", signedIn.json.access_token]) {
      expect((await call(revoke.POST, "/api/auth/revoke", { body: { token: t }, origin: null })).status).toBe(200);
    }
    expect((await call(revoke.POST, "/api/auth/revoke", { body: {}, origin: null })).json.error).toBe(
      "invalid_request",
    );
  });
});
