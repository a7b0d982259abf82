/**
 * Native apps signing in through the browser over HTTP (route handlers): GET /api/auth/authorize
 * (RFC 8252, RFC 7636 PKCE S256 only, RFC 9207 `iss`, RFC 9449 §10 `dpop_jkt`) and the token
 * endpoint's authorization_code grant. Every rule is forged against: a test here fails when its
 * rule is removed. The password grant is left at its default (off).
 */
import { createHash, randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { totpCode } from "@/lib/auth/totp";
import { createDpopProof, generateDpopKey, type DpopKey } from "@/lib/native/dpop-proof";
import { safeNextPath } from "@/lib/routing/safe-next-path";
import { inspectRuntime } from "./db-inspect";
import { decodePayload } from "./forge";
import { APP, CookieJar, call, configureTestEnv, loadRoutes } from "./http-client";

const CLIENT = "example-native";
const LOOPBACK = "http://127.0.0.1:53682/callback";
const CLIENTS = [
  {
    client_id: CLIENT,
    name: "Example App",
    redirect_uris: ["http://127.0.0.1/callback", "com.example.app:/oauth2redirect"],
  },
  { client_id: "other-app", name: "Other App", redirect_uris: ["http://127.0.0.1/other"] },
];

let r: Awaited<ReturnType<typeof loadRoutes>>;
let authorizeRoute: typeof import("@/app/api/auth/authorize/route");
let token: typeof import("@/app/api/auth/token/route");
let steps: Record<string, { POST: (...a: never[]) => Promise<Response> }>;

beforeAll(async () => {
  await configureTestEnv({
    AUTH_NATIVE_CLIENTS: JSON.stringify(CLIENTS),
    // Limits on, so failed exchanges are counted; each exchange here comes from its own address
    // unless a test picks one.
    AUTH_RATE_LIMIT: "on",
    RATE_LIMIT_REGISTER_PER_IP: "1000",
    RATE_LIMIT_LOGIN_PER_IP: "1000",
    RATE_LIMIT_REFRESH_PER_IP: "3",
  });
  r = await loadRoutes();
  authorizeRoute = await import("@/app/api/auth/authorize/route");
  token = await import("@/app/api/auth/token/route");
  steps = {
    setup: await import("@/app/api/auth/two-factor/setup/route"),
    enable: await import("@/app/api/auth/two-factor/enable/route"),
    verify: await import("@/app/api/auth/two-factor/verify/route"),
  } as unknown as typeof steps;
});

const PASSWORD = "password-123";
let n = 0;
async function signedInBrowser() {
  const jar = new CookieJar();
  const email = `browser-app-${++n}@example.com`;
  const res = await call(r.register.POST, "/api/auth/register", { body: { email, password: PASSWORD }, jar });
  expect(res.status).toBe(201);
  return { jar, email };
}

function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

function authorizePath(params: Record<string, string | string[]>) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    for (const v of Array.isArray(value) ? value : [value]) query.append(name, v);
  return `/api/auth/authorize?${query}`;
}

const base = (challenge: string, extra: Record<string, string | string[]> = {}) => ({
  response_type: "code",
  client_id: CLIENT,
  redirect_uri: LOOPBACK,
  code_challenge: challenge,
  code_challenge_method: "S256",
  state: "st-" + randomBytes(8).toString("hex"),
  ...extra,
});

/** The browser visiting the authorization URL: a top-level navigation, so no Origin header. */
async function authorize(jar: CookieJar | undefined, params: Record<string, string | string[]>) {
  return call(authorizeRoute.GET, authorizePath(params), { jar, origin: null });
}

/** A signed-in browser's code for a fresh PKCE pair. */
async function codeFor(jar: CookieJar, extra: Record<string, string | string[]> = {}) {
  const p = pkce();
  const params = base(p.challenge, extra);
  const res = await authorize(jar, params);
  expect(res.status, res.text).toBe(302);
  const location = new URL(res.headers.get("location")!);
  const code = location.searchParams.get("code")!;
  expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return { code, verifier: p.verifier, location, params };
}

let ip = 0;
async function exchange(
  body: Record<string, string>,
  key?: DpopKey,
  from = `198.18.${Math.floor(++ip / 250)}.${ip % 250}`,
) {
  const headers: Record<string, string> = {
    "user-agent": "ExampleApp/2.0",
    "x-auth-socket-ip": from,
  };
  if (key) headers.dpop = await createDpopProof(key, { method: "POST", url: `${APP}/api/auth/token` });
  return call(token.POST, "/api/auth/token", { body, headers, origin: null });
}

const grant = (code: string, verifier: string, extra: Record<string, string> = {}) => ({
  grant_type: "authorization_code",
  code,
  redirect_uri: LOOPBACK,
  client_id: CLIENT,
  code_verifier: verifier,
  ...extra,
});

async function me(accessToken: string, key: DpopKey) {
  const url = `${APP}/api/me`;
  const proof = await createDpopProof(key, { method: "GET", url, accessToken });
  return call(r.me.GET, "/api/me", { headers: { authorization: `DPoP ${accessToken}`, dpop: proof }, origin: null });
}

async function refreshNative(refreshToken: string, key: DpopKey) {
  return exchange({ grant_type: "refresh_token", refresh_token: refreshToken }, key);
}

describe("GET /api/auth/authorize", () => {
  it("signed out: to the login page with the request as `next`, which the login page accepts as it is", async () => {
    const params = base(pkce().challenge);
    const res = await authorize(undefined, params);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!);
    expect(location.origin + location.pathname).toBe(`${APP}/login`);
    const next = location.searchParams.get("next")!;
    expect(next).toBe(authorizePath(params));
    expect(safeNextPath(next)).toBe(next);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("signed in: a one-time code (256 bits, stored only as its hash) with state and iss on the registered redirect", async () => {
    const { jar } = await signedInBrowser();
    const { code, location, params } = await codeFor(jar);
    expect(location.origin + location.pathname).toBe(LOOPBACK);
    expect(location.searchParams.get("state")).toBe(params.state);
    // RFC 9207: the app can tell which server answered.
    expect(location.searchParams.get("iss")).toBe(APP);
    expect(Buffer.from(code, "base64url")).toHaveLength(32);
    const db = await inspectRuntime();
    expect(await db.rowsContaining(code)).toEqual([]);
    const hash = createHash("sha256").update(code).digest("hex");
    expect(await db.count("authorization_codes", { code_hash: hash })).toBe(1);
  });

  it("a private-use scheme redirect (RFC 8252 §7.1) gets its code too", async () => {
    const { jar } = await signedInBrowser();
    const { location } = await codeFor(jar, { redirect_uri: "com.example.app:/oauth2redirect" });
    expect(location.protocol).toBe("com.example.app:");
    expect(location.pathname).toBe("/oauth2redirect");
  });

  it("loopback redirects match any port, and nothing else about them may differ (RFC 8252 §7.3, RFC 9700 §2.1)", async () => {
    const { jar } = await signedInBrowser();
    for (const ok of ["http://127.0.0.1:1/callback", "http://127.0.0.1:65535/callback", "http://127.0.0.1/callback"]) {
      const res = await authorize(jar, base(pkce().challenge, { redirect_uri: ok }));
      expect(res.status, ok).toBe(302);
      expect(res.headers.get("location")!.startsWith(`${ok}?code=`), ok).toBe(true);
    }
    const tricks = [
      "http://evil.example/callback",
      "http://evil.example:53682/callback",
      "http://127.0.0.1.evil.example/callback",
      "http://127.0.0.1@evil.example/callback",
      "http://127.0.0.1:53682@evil.example/callback",
      "http://user:pass@127.0.0.1:53682/callback",
      "http://localhost:53682/callback",
      "http://[::1]:53682/callback",
      "https://127.0.0.1:53682/callback",
      "HTTP://127.0.0.1:53682/callback",
      "http://2130706433:53682/callback",
      "http://127.0.0.1:53682/other",
      "http://127.0.0.1:53682/callback/",
      "http://127.0.0.1:53682/Callback",
      "http://127.0.0.1:53682/callback/../callback",
      "http://127.0.0.1:53682/callback%2F..",
      "http://127.0.0.1:53682/callback#fragment",
      "http://127.0.0.1:53682/callback#",
      "http://127.0.0.1:53682/callback?next=evil",
      "http://127.0.0.1:53682/callback?",
      "com.example.app:/oauth2redirect/x",
      "com.example.app://oauth2redirect",
      "com.example.evil:/oauth2redirect",
      "javascript:alert(1)//127.0.0.1/callback",
      "/callback",
      "",
    ];
    for (const redirect of tricks) {
      const res = await authorize(jar, base(pkce().challenge, { redirect_uri: redirect }));
      expect(res.status, redirect).toBe(400);
      expect(res.headers.get("location"), redirect).toBeNull();
      expect(res.headers.get("content-type"), redirect).toMatch(/^text\/html/);
      expect(res.text, redirect).toContain("did not register");
    }
    // Sent twice, a redirect URI is no redirect URI (RFC 6749 §3.1).
    const twice = await authorize(
      jar,
      base(pkce().challenge, { redirect_uri: [LOOPBACK, "http://127.0.0.1:1/callback"] }),
    );
    expect(twice.status).toBe(400);
    expect(twice.headers.get("location")).toBeNull();
  });

  it("an unknown or missing client: a clear page, sent nowhere", async () => {
    const { jar } = await signedInBrowser();
    for (const clientId of ["unknown-app", "", "EXAMPLE-NATIVE"]) {
      const res = await authorize(jar, base(pkce().challenge, { client_id: clientId }));
      expect(res.status, clientId).toBe(400);
      expect(res.headers.get("location")).toBeNull();
      expect(res.text).toMatch(/not registered|which app/);
    }
    // Another registered client's redirect URI is not this client's.
    const other = await authorize(jar, base(pkce().challenge, { redirect_uri: "http://127.0.0.1:5000/other" }));
    expect(other.status).toBe(400);
  });

  it("with a valid client and redirect, errors go to the app with its state and iss; no code", async () => {
    const { jar } = await signedInBrowser();
    const { challenge } = pkce();
    const cases: [Record<string, string>, string][] = [
      [{ response_type: "token" }, "unsupported_response_type"],
      [{ code_challenge_method: "plain" }, "invalid_request"],
      [{ code_challenge_method: "s256" }, "invalid_request"],
      [{ code_challenge: "short" }, "invalid_request"],
      [{ code_challenge: `${challenge}x` }, "invalid_request"],
      [{ dpop_jkt: "not-a-thumbprint" }, "invalid_request"],
    ];
    for (const [change, error] of cases) {
      const params = base(challenge, change);
      const res = await authorize(jar, params);
      expect(res.status, JSON.stringify(change)).toBe(302);
      const location = new URL(res.headers.get("location")!);
      expect(location.origin + location.pathname).toBe(LOOPBACK);
      expect(location.searchParams.get("error"), JSON.stringify(change)).toBe(error);
      expect(location.searchParams.get("state")).toBe(params.state);
      expect(location.searchParams.get("iss")).toBe(APP);
      expect(location.searchParams.get("code")).toBeNull();
    }
    // No method at all means "plain" (RFC 7636 §4.3): refused too.
    const params: Record<string, string> = base(challenge);
    delete params.code_challenge_method;
    const noMethod = new URL((await authorize(jar, params)).headers.get("location")!);
    expect(noMethod.searchParams.get("error")).toBe("invalid_request");
    // No challenge at all: PKCE is not optional.
    const noChallenge: Record<string, string> = base(challenge);
    delete noChallenge.code_challenge;
    expect(new URL((await authorize(jar, noChallenge)).headers.get("location")!).searchParams.get("error")).toBe(
      "invalid_request",
    );
    // No state: refused, and nothing made up in its place.
    const noState: Record<string, string> = base(challenge);
    delete noState.state;
    const stateless = new URL((await authorize(jar, noState)).headers.get("location")!);
    expect(stateless.searchParams.get("error")).toBe("invalid_request");
    expect(stateless.searchParams.has("state")).toBe(false);
    // A parameter sent twice.
    const twice = new URL(
      (await authorize(jar, base(challenge, { code_challenge: [challenge, challenge] }))).headers.get("location")!,
    );
    expect(twice.searchParams.get("error")).toBe("invalid_request");
  });
});

describe("POST /api/auth/token, grant_type=authorization_code", () => {
  it("the code, its verifier and a DPoP proof give a DPoP-bound native session that carries the browser's amr and auth_time; the devices page names the app", async () => {
    const { jar } = await signedInBrowser();
    const browserClaims = decodePayload(jar.get("__Host-access")!);
    const { code, verifier } = await codeFor(jar);
    const key = await generateDpopKey();
    const res = await exchange(grant(code, verifier), key);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({
      access_token: expect.any(String),
      token_type: "DPoP",
      expires_in: 900,
      refresh_token: expect.any(String),
    });
    expect(res.setCookies).toEqual([]);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const claims = decodePayload(res.json.access_token);
    expect(claims.amr).toEqual(browserClaims.amr);
    expect(claims.auth_time).toBe(browserClaims.auth_time);
    expect(claims.cnf).toEqual({ jkt: expect.any(String) });
    expect((await me(res.json.access_token, key)).status).toBe(200);
    // As a bearer token it is refused: it is bound to the app's key.
    const bearer = await call(r.me.GET, "/api/me", {
      headers: { authorization: `Bearer ${res.json.access_token}` },
      origin: null,
    });
    expect(bearer.status).toBe(401);
    const refreshed = await refreshNative(res.json.refresh_token, key);
    expect(refreshed.status).toBe(200);
    const devices = await call(r.sessions.GET, "/api/auth/sessions", { jar });
    const app = devices.json.sessions.find((s: { id: string }) => s.id === claims.sid);
    expect(app).toMatchObject({ client: "native", dpopBound: true, appName: "Example App", current: false });
  });

  it("a wrong verifier, another client or another redirect URI: invalid_grant, and the code still works for its app", async () => {
    const { jar } = await signedInBrowser();
    const { code, verifier } = await codeFor(jar);
    const wrong: Record<string, string>[] = [
      { code_verifier: pkce().verifier },
      {
        code_verifier:
          `${verifier.slice(0, -1)}A` === verifier ? `${verifier.slice(0, -1)}B` : `${verifier.slice(0, -1)}A`,
      },
      { code_verifier: createHash("sha256").update(verifier).digest("base64url") },
      { client_id: "other-app" },
      { client_id: "unknown-app" },
      { redirect_uri: "http://127.0.0.1:53683/callback" },
      { redirect_uri: "http://127.0.0.1:53682/other" },
      { redirect_uri: "com.example.app:/oauth2redirect" },
    ];
    for (const change of wrong) {
      const res = await exchange(grant(code, verifier, change));
      expect(res.status, JSON.stringify(change)).toBe(400);
      expect(res.json, JSON.stringify(change)).toEqual({
        error: "invalid_grant",
        error_description: expect.any(String),
      });
    }
    // The challenge itself, sent as the verifier ("plain"), is refused by the S256 check above too.
    expect((await exchange(grant(code, verifier))).status).toBe(200);
  });

  it("a code works once: the second use is invalid_grant and ends the session the first one started (RFC 6749 §4.1.2)", async () => {
    const { jar } = await signedInBrowser();
    const { code, verifier } = await codeFor(jar);
    const key = await generateDpopKey();
    const first = await exchange(grant(code, verifier), key);
    expect(first.status).toBe(200);
    expect((await me(first.json.access_token, key)).status).toBe(200);
    const second = await exchange(grant(code, verifier), key);
    expect(second.status).toBe(400);
    expect(second.json.error).toBe("invalid_grant");
    expect(second.json.access_token).toBeUndefined();
    // The first exchange's session is over: its access token and its refresh token are refused.
    expect((await me(first.json.access_token, key)).status).toBe(401);
    expect((await refreshNative(first.json.refresh_token, key)).json.error).toBe("invalid_grant");
    const db = await inspectRuntime();
    const sid = decodePayload(first.json.access_token).sid as string;
    const [family] = await db.rows("refresh_families", { where: { id: sid }, columns: ["revoked_reason"] });
    expect(family.revoked_reason).toBe("authorization_code_reused");
    // Even a second use by someone without the verifier ends it: the code has leaked.
    const again = await codeFor(jar);
    const ok = await exchange(grant(again.code, again.verifier), key);
    expect(ok.status).toBe(200);
    expect((await exchange(grant(again.code, pkce().verifier))).json.error).toBe("invalid_grant");
    expect((await me(ok.json.access_token, key)).status).toBe(401);
  });

  it("dpop_jkt at the authorization request binds the code to that key (RFC 9449 §10)", async () => {
    const { jar } = await signedInBrowser();
    const key = await generateDpopKey();
    const other = await generateDpopKey();
    const jkt = await thumbprint(key);
    const { code, verifier } = await codeFor(jar, { dpop_jkt: jkt });
    const withOther = await exchange(grant(code, verifier), other);
    expect(withOther.status).toBe(400);
    expect(withOther.json.error).toBe("invalid_dpop_proof");
    const withNone = await exchange(grant(code, verifier));
    expect(withNone.json.error).toBe("invalid_dpop_proof");
    const right = await exchange(grant(code, verifier), key);
    expect(right.status).toBe(200);
    expect(decodePayload(right.json.access_token).cnf).toEqual({ jkt });
  });

  it("refuses malformed and made-up codes with invalid_grant or invalid_request", async () => {
    const { verifier } = pkce();
    expect((await exchange(grant("A".repeat(43), verifier))).json.error).toBe("invalid_grant");
    expect((await exchange(grant("not a code", verifier))).json.error).toBe("invalid_grant");
    const missing: Record<string, string> = grant("A".repeat(43), verifier);
    delete missing.code_verifier;
    expect((await exchange(missing)).json.error).toBe("invalid_request");
    expect((await exchange({ ...grant("A".repeat(43), verifier), scope: "admin" })).json.error).toBe("invalid_request");
  });

  it("an account with two-step: the browser session passed the second step, so the app's session carries otp and mfa", async () => {
    const { jar, email } = await signedInBrowser();
    const setup = await call(steps.setup.POST as never, "/api/auth/two-factor/setup", { method: "POST", jar });
    expect(setup.status).toBe(200);
    const enable = await call(steps.enable.POST as never, "/api/auth/two-factor/enable", {
      jar,
      body: { code: totpCode(setup.json.secret, Date.now()) },
    });
    expect(enable.status).toBe(200);
    // The session that turned two-step on signed in with the password alone: the pipeline still
    // owes a second factor, so its code starts no session for the app.
    const single = await codeFor(jar);
    const refused = await exchange(grant(single.code, single.verifier), await generateDpopKey());
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual({ error: "invalid_grant", error_description: expect.stringMatching(/two-step/) });
    expect(refused.json.access_token).toBeUndefined();
    // A new browser sign-in: the password, then the second step.
    const browser = new CookieJar();
    const first = await call(r.login.POST, "/api/auth/login", { body: { email, password: PASSWORD }, jar: browser });
    expect(first.status).toBe(202);
    const verified = await call(steps.verify.POST as never, "/api/auth/two-factor/verify", {
      jar: browser,
      body: { code: totpCode(setup.json.secret, Date.now() + 30_000) },
    });
    expect(verified.status).toBe(200);
    const { code, verifier } = await codeFor(browser);
    const key = await generateDpopKey();
    const res = await exchange(grant(code, verifier), key);
    expect(res.status, res.text).toBe(200);
    expect(decodePayload(res.json.access_token).amr).toEqual(["pwd", "otp", "mfa"]);
    expect((await me(res.json.access_token, key)).json.user.email).toBe(email);
  });

  it("failed exchanges count toward the per-IP refresh limit: guessing codes or verifiers is bounded (429 past it)", async () => {
    const { jar } = await signedInBrowser();
    const { code, verifier } = await codeFor(jar);
    const from = "198.19.0.1";
    for (let i = 0; i < 3; i++) {
      const res = await exchange(grant(code, pkce().verifier), undefined, from);
      expect(res.status).toBe(400);
      expect(res.json.error).toBe("invalid_grant");
    }
    const blocked = await exchange(grant("A".repeat(43), verifier), undefined, from);
    expect(blocked.status).toBe(429);
    expect(blocked.json.error).toBe("rate_limited");
    expect(blocked.headers.get("retry-after")).toMatch(/^\d+$/);
    // As for refreshes, only failures are stopped: the app with the real verifier still gets in.
    expect((await exchange(grant(code, verifier), undefined, from)).status).toBe(200);
  });
});

describe("the password grant is off by default (RFC 9700 §2.4)", () => {
  it("grant_type=password and its second step are unsupported_grant_type, whatever the password", async () => {
    const { email } = await signedInBrowser();
    for (const body of <Record<string, string>[]>[
      { grant_type: "password", email, password: PASSWORD },
      { grant_type: "password", email, password: "wrong-password" },
      { grant_type: "urn:auth-starter:params:oauth:grant-type:mfa", mfa_token: "A".repeat(43), otp: "123456" },
    ]) {
      const res = await exchange(body);
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ error: "unsupported_grant_type", error_description: expect.any(String) });
    }
    const db = await inspectRuntime();
    expect(await db.count("auth_events", { type: "sign_in_failed" })).toBe(0);
  });
});

async function thumbprint(key: DpopKey) {
  const { calculateJwkThumbprint } = await import("jose");
  return calculateJwkThumbprint(key.publicJwk as Parameters<typeof calculateJwkThumbprint>[0], "sha256");
}
