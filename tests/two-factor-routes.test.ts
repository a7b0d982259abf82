/**
 * Passkeys, two-step sign-in and step-up over HTTP (route handlers): the cookies each step sets,
 * the answers a browser and an app see, and that no route starts a session an owed second factor
 * would have stopped. The software authenticator plays the browser's part.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { totpCode } from "@/lib/auth/totp";
import { decodePayload } from "./forge";
import { APP, CookieJar, call, configureTestEnv, loadRoutes, withStaleSignIn } from "./http-client";
import { createSoftAuthenticator } from "./webauthn-authenticator";

let r: Awaited<ReturnType<typeof loadRoutes>>;
let routes: Record<string, Record<string, (...a: never[]) => Promise<Response>>>;

beforeAll(async () => {
  // AUTH_PASSWORD_GRANT=on: a second factor is still owed at the token endpoint (mfa_required).
  await configureTestEnv({ APP_URL: APP, AUTH_PASSWORD_GRANT: "on" });
  r = await loadRoutes();
  routes = {
    setup: await import("@/app/api/auth/two-factor/setup/route"),
    enable: await import("@/app/api/auth/two-factor/enable/route"),
    verify: await import("@/app/api/auth/two-factor/verify/route"),
    status: await import("@/app/api/auth/two-factor/route"),
    regOptions: await import("@/app/api/auth/passkeys/register/options/route"),
    register: await import("@/app/api/auth/passkeys/register/route"),
    loginOptions: await import("@/app/api/auth/passkeys/login/options/route"),
    passkeyLogin: await import("@/app/api/auth/passkeys/login/route"),
    passkey: await import("@/app/api/auth/passkeys/[id]/route"),
    reauthenticate: await import("@/app/api/auth/reauthenticate/route"),
    token: await import("@/app/api/auth/token/route"),
  } as unknown as typeof routes;
});

let n = 0;
async function newUser() {
  const jar = new CookieJar();
  const email = `steps-${++n}@example.com`;
  const res = await call(r.register.POST, "/api/auth/register", { body: { email, password: "password-123" }, jar });
  expect(res.status).toBe(201);
  return { jar, email, password: "password-123" };
}

const post = (name: string, path: string, options: Parameters<typeof call>[2] = {}) =>
  call(routes[name].POST as never, path, { method: "POST", ...options });

async function turnOnTwoStep(jar: CookieJar) {
  const setup = await post("setup", "/api/auth/two-factor/setup", { jar });
  expect(setup.status).toBe(200);
  const enable = await post("enable", "/api/auth/two-factor/enable", {
    jar,
    body: { code: totpCode(setup.json.secret, Date.now()) },
  });
  expect(enable.status).toBe(200);
  return { secret: setup.json.secret as string, recoveryCodes: enable.json.recoveryCodes as string[] };
}

describe("the second step over HTTP", () => {
  it("sign-in answers 202 with only an httpOnly, Lax, five-minute pending cookie; the code then gives both session cookies", async () => {
    const user = await newUser();
    const { recoveryCodes } = await turnOnTwoStep(user.jar);
    expect((await call(routes.status.GET as never, "/api/auth/two-factor", { jar: user.jar })).json).toEqual({
      enabled: true,
      recoveryCodesLeft: 10,
    });
    const browser = new CookieJar();
    const first = await call(r.login.POST, "/api/auth/login", {
      body: { email: user.email, password: user.password },
      jar: browser,
    });
    expect(first.status).toBe(202);
    expect(first.json).toEqual({ twoFactorRequired: true });
    const set = first.setCookies.filter((c) => c.value !== "");
    expect(set.map((c) => c.name)).toEqual(["__Host-pending"]);
    expect(set[0].attrs).toMatch(/HttpOnly/);
    expect(set[0].attrs).toMatch(/Secure/);
    expect(set[0].attrs).toMatch(/SameSite=Lax/);
    expect(set[0].path).toBe("/");
    expect(set[0].maxAge).toBeGreaterThan(290);
    expect(set[0].maxAge).toBeLessThanOrEqual(300);
    // No session yet: /api/me and a refresh know nobody.
    expect((await call(r.me.GET, "/api/me", { jar: browser })).status).toBe(401);

    const wrong = await post("verify", "/api/auth/two-factor/verify", { jar: browser, body: { code: "000000" } });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toBe("invalid_code");
    const done = await post("verify", "/api/auth/two-factor/verify", {
      jar: browser,
      body: { recoveryCode: recoveryCodes[0] },
    });
    expect(done.status).toBe(200);
    expect(done.json.status).toBe("authenticated");
    expect(
      done.setCookies
        .filter((c) => c.value !== "")
        .map((c) => c.name)
        .sort(),
    ).toEqual(["__Host-access", "__Secure-refresh"]);
    expect(done.setCookies.find((c) => c.name === "__Host-pending")?.maxAge).toBe(0);
    expect(decodePayload(browser.get("__Host-access")!).amr).toEqual(["pwd", "otp", "mfa"]);
    // The pending sign-in was one use: the same cookie again is expired.
    const again = await post("verify", "/api/auth/two-factor/verify", {
      headers: { cookie: first.setCookies.map((c) => `${c.name}=${c.value}`).join("; ") },
      body: { recoveryCode: recoveryCodes[1] },
    });
    expect(again.json.error).toBe("sign_in_expired");
  });

  it("the token endpoint answers mfa_required with an mfa_token and no tokens; the mfa grant completes it", async () => {
    const user = await newUser();
    const { secret } = await turnOnTwoStep(user.jar);
    const first = await post("token", "/api/auth/token", {
      origin: null,
      body: { grant_type: "password", email: user.email, password: user.password },
    });
    expect(first.status).toBe(403);
    expect(first.json).toEqual({
      error: "mfa_required",
      error_description: expect.any(String),
      mfa_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expires_in: expect.any(Number),
    });
    expect(first.json.access_token).toBeUndefined();
    const grant = "urn:auth-starter:params:oauth:grant-type:mfa";
    // A later step, so the setup's code (already used) is not replayed.
    const code = totpCode(secret, Date.now() + 30_000);
    const done = await post("token", "/api/auth/token", {
      origin: null,
      body: { grant_type: grant, mfa_token: first.json.mfa_token, otp: code },
    });
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ token_type: "Bearer", access_token: expect.any(String) });
    expect(decodePayload(done.json.access_token).amr).toEqual(["pwd", "otp", "mfa"]);
  });
});

describe("passkeys over HTTP", () => {
  it("register and sign in: the challenge rides in an httpOnly Strict cookie, cleared after use; the session says hwk + user", async () => {
    const user = await newUser();
    const authenticator = createSoftAuthenticator({ rpId: "localhost", origin: APP });
    const options = await post("regOptions", "/api/auth/passkeys/register/options", { jar: user.jar });
    expect(options.status).toBe(200);
    const challengeCookie = options.setCookies.find((c) => c.name === "__Host-webauthn")!;
    expect(challengeCookie.attrs).toMatch(/HttpOnly/);
    expect(challengeCookie.attrs).toMatch(/SameSite=Strict/);
    const credential = await authenticator.register(options.json);
    const registered = await post("register", "/api/auth/passkeys/register", {
      jar: user.jar,
      body: { credential, name: "Work laptop" },
    });
    expect(registered.status).toBe(201);
    expect(registered.json.passkey).toMatchObject({ name: "Work laptop", backedUp: true });
    expect(registered.setCookies.find((c) => c.name === "__Host-webauthn")?.maxAge).toBe(0);

    const browser = new CookieJar();
    const signInOptions = await post("loginOptions", "/api/auth/passkeys/login/options", { jar: browser });
    const assertion = await authenticator.authenticate(signInOptions.json);
    const signedIn = await post("passkeyLogin", "/api/auth/passkeys/login", {
      jar: browser,
      body: { credential: assertion },
    });
    expect(signedIn.status).toBe(200);
    expect(signedIn.json.user.email).toBe(user.email);
    expect(decodePayload(browser.get("__Host-access")!).amr).toEqual(["hwk", "user", "mfa"]);
    // The same assertion again: the challenge is gone. One answer for every failure.
    const replay = await post("passkeyLogin", "/api/auth/passkeys/login", {
      headers: { cookie: `__Host-webauthn=${signInOptions.setCookies[0].value}` },
      body: { credential: assertion },
    });
    expect(replay.status).toBe(401);
    expect(replay.json.error).toBe("invalid_passkey");
  });

  it("a passkey sign-in owes no second step even with two-step on (a passkey with user verification is two factors)", async () => {
    const user = await newUser();
    await turnOnTwoStep(user.jar);
    const authenticator = createSoftAuthenticator({ rpId: "localhost", origin: APP });
    const options = await post("regOptions", "/api/auth/passkeys/register/options", { jar: user.jar });
    await post("register", "/api/auth/passkeys/register", {
      jar: user.jar,
      body: { credential: await authenticator.register(options.json) },
    });
    const browser = new CookieJar();
    const signInOptions = await post("loginOptions", "/api/auth/passkeys/login/options", { jar: browser });
    const signedIn = await post("passkeyLogin", "/api/auth/passkeys/login", {
      jar: browser,
      body: { credential: await authenticator.authenticate(signInOptions.json) },
    });
    expect(signedIn.status).toBe(200);
    // Without user verification the same passkey is refused outright (never a weaker session).
    const lazy = await post("loginOptions", "/api/auth/passkeys/login/options", { jar: browser });
    const noUv = await post("passkeyLogin", "/api/auth/passkeys/login", {
      jar: browser,
      body: { credential: await authenticator.authenticate(lazy.json, { userVerified: false }) },
    });
    expect(noUv.status).toBe(401);
  });
});

describe("step-up over HTTP", () => {
  it("a session whose last authentication is too old gets 401 reauthentication_required; confirming gives a fresh access cookie", async () => {
    const user = await newUser();
    const claims = decodePayload(user.jar.get("__Host-access")!);
    // The same session, its token minted as if its sign-in were 11 minutes ago.
    const jar = await withStaleSignIn(user.jar);
    const refused = await post("setup", "/api/auth/two-factor/setup", { jar });
    expect(refused.status).toBe(401);
    expect(refused.json.error).toBe("reauthentication_required");
    const wrong = await post("reauthenticate", "/api/auth/reauthenticate", {
      jar,
      body: { password: "not-it-at-all" },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toBe("invalid_credentials");
    const confirmed = await post("reauthenticate", "/api/auth/reauthenticate", {
      jar,
      body: { password: user.password },
    });
    expect(confirmed.status).toBe(200);
    const fresh = decodePayload(jar.get("__Host-access")!);
    expect(fresh.sid).toBe(claims.sid);
    expect(fresh.auth_time).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 5);
    expect(confirmed.setCookies.map((c) => c.name)).not.toContain("__Secure-refresh");
    expect((await post("setup", "/api/auth/two-factor/setup", { jar })).status).toBe(200);
  });
});
