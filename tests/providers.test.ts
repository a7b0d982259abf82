/**
 * Sign in with a provider over HTTP, against real peers on loopback: oidc-provider as the OpenID
 * provider and a GitHub stand-in (tests/providers/*). The route handlers are called as a browser
 * would; the providers' pages are walked with fetch. Sign-up and sign-in, linking and its takeover
 * cases, tampered and replayed callbacks, "access denied", and the second step after a provider.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCode } from "@/lib/auth/totp";
import { readOutbox } from "@/lib/mail/outbox";
import { decodePayload } from "./forge";
import { APP, CookieJar, call, configureTestEnv, loadRoutes, withStaleSignIn } from "./http-client";
import { GITHUB_CLIENT, setGithubUser, startGithubStandIn } from "./providers/github-stand-in";
import { OIDC_CLIENT, setOidcAccount, startOpenIdProvider } from "./providers/openid-provider";

let r: Awaited<ReturnType<typeof loadRoutes>>;
let start: typeof import("@/app/api/auth/oauth/[provider]/route");
let callback: typeof import("@/app/api/auth/oauth/[provider]/callback/route");
let disconnect: typeof import("@/app/api/auth/providers/[provider]/route");
let providers: typeof import("@/app/api/auth/providers/route");
const peers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  const op = await startOpenIdProvider({
    redirectUris: [`${APP}/api/auth/oauth/oidc/callback`],
  });
  const gh = await startGithubStandIn();
  peers.push(op, gh);
  await configureTestEnv({
    AUTH_OIDC_ISSUER: op.issuer,
    AUTH_OIDC_ID: OIDC_CLIENT.id,
    AUTH_OIDC_SECRET: OIDC_CLIENT.secret,
    AUTH_OIDC_NAME: "Test SSO",
    AUTH_GITHUB_ID: GITHUB_CLIENT.id,
    AUTH_GITHUB_SECRET: GITHUB_CLIENT.secret,
    AUTH_GITHUB_URL: gh.url,
    AUTH_GITHUB_API_URL: gh.url,
  });
  r = await loadRoutes();
  start = await import("@/app/api/auth/oauth/[provider]/route");
  callback = await import("@/app/api/auth/oauth/[provider]/callback/route");
  disconnect = await import("@/app/api/auth/providers/[provider]/route");
  providers = await import("@/app/api/auth/providers/route");
}, 60_000);
afterAll(async () => {
  for (const peer of peers) await peer.close();
});

/** The provider's side of the browser: follows its redirects and posts its form, keeping its cookies. */
async function atProvider(location: string, choice: { account?: string; login?: string; cancel?: boolean }) {
  const cookies = new Map<string, string>();
  const get = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(url, {
      ...init,
      redirect: "manual",
      headers: { ...(init.headers ?? {}), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair.indexOf("=");
      cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return res;
  };
  let url = location;
  for (let hops = 0; hops < 10; hops++) {
    if (url.startsWith(APP)) return url; // back at our callback
    const res = await get(url);
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get("location")!, url).toString();
      continue;
    }
    const html = await res.text();
    const forms = [...html.matchAll(/<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/g)];
    const form = choice.cancel ? forms.at(-1)! : forms[0];
    const fields = new URLSearchParams();
    for (const [, name, value] of form[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
      fields.set(name, value.replaceAll("&#38;", "&"));
    if (choice.account) fields.set("account", choice.account);
    if (choice.login !== undefined) fields.set("login", choice.cancel ? "" : choice.login);
    const posted = await get(new URL(form[1], url).toString(), {
      method: "POST",
      body: fields.toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    url = new URL(posted.headers.get("location")!, url).toString();
  }
  throw new Error("the provider never sent the browser back");
}

/**
 * A whole "Continue with …" in a browser with this jar: start (a link to sign in, a JSON call to
 * connect), the provider, our callback.
 */
async function continueWith(
  provider: "oidc" | "github",
  jar: CookieJar,
  choice: Parameters<typeof atProvider>[1],
  intent: "sign_in" | "connect" = "sign_in",
) {
  const path = `/api/auth/oauth/${provider}${intent === "sign_in" ? "?next=%2Fdashboard" : ""}`;
  const started =
    intent === "sign_in"
      ? await call(start.GET as never, path, { jar, params: { provider } })
      : await call(start.POST as never, path, { jar, params: { provider }, method: "POST" });
  expect(started.status, started.text).toBe(intent === "sign_in" ? 302 : 200);
  const back = await atProvider(
    intent === "sign_in" ? started.headers.get("location")! : started.json.location,
    choice,
  );
  const callbackPath = back.slice(APP.length);
  const done = await call(callback.GET as never, callbackPath, { jar, params: { provider }, origin: null });
  // A session: a page of ours that moves on (same-site, so the Strict cookies go along); else a 302.
  const next = done.status === 302 ? done.headers.get("location") : (/url=([^"]+)"/.exec(done.text)?.[1] ?? null);
  return { started, done, next, callbackPath };
}

/** The mails sent to an address so far. */
async function mailbox(email: string) {
  const rt = await (await import("@/lib/server/runtime")).getRuntime();
  await rt.mailSender.flush();
  return readOutbox(rt.config.mail.outboxDir, 10_000).filter((m) => m.to === email);
}

let n = 0;
const uniqueAddress = (prefix: string) => `${prefix}-${++n}@example.com`;

describe("the flow's checks", () => {
  it("the start sends the browser to the provider with state, PKCE S256 and a nonce, kept in one sealed, Lax, httpOnly cookie", async () => {
    const jar = new CookieJar();
    const started = await call(start.GET as never, "/api/auth/oauth/oidc?next=%2Fdashboard", {
      jar,
      params: { provider: "oidc" },
    });
    expect(started.status).toBe(302);
    const location = new URL(started.headers.get("location")!);
    expect(location.searchParams.get("code_challenge_method")).toBe("S256");
    expect(location.searchParams.get("state")).toMatch(/.{20,}/);
    expect(location.searchParams.get("nonce")).toMatch(/.{20,}/);
    expect(location.searchParams.get("scope")).toBe("openid email profile");
    expect(location.searchParams.get("redirect_uri")).toBe(`${APP}/api/auth/oauth/oidc/callback`);
    const cookie = started.setCookies.find((c) => c.name === "__Host-oauth")!;
    expect(cookie.attrs).toMatch(/HttpOnly/);
    expect(cookie.attrs).toMatch(/SameSite=Lax/);
    // Sealed: the verifier and state are not readable in it.
    expect(cookie.value).not.toContain(location.searchParams.get("state"));
  });

  it("an unconfigured provider does not exist", async () => {
    const res = await call(start.GET as never, "/api/auth/oauth/google", { params: { provider: "google" } });
    expect(res.status).toBe(404);
  });

  it("a tampered state, a missing flow cookie and a replayed callback are refused (nothing signed in)", async () => {
    const jar = new CookieJar();
    const started = await call(start.GET as never, "/api/auth/oauth/oidc", { jar, params: { provider: "oidc" } });
    const back = await atProvider(started.headers.get("location")!, { account: "oidc-ada" });
    const tampered = back.slice(APP.length).replace(/state=[^&]+/, "state=forged");
    const bad = await call(callback.GET as never, tampered, {
      jar: jar.clone(),
      params: { provider: "oidc" },
      origin: null,
    });
    expect(bad.headers.get("location")).toBe(`${APP}/login?error=provider_state`);
    expect(bad.setCookies.filter((c) => c.name === "__Host-access" && c.value)).toEqual([]);
    const noCookie = await call(callback.GET as never, back.slice(APP.length), {
      params: { provider: "oidc" },
      origin: null,
    });
    expect(noCookie.headers.get("location")).toBe(`${APP}/login?error=provider_state`);
    const first = await call(callback.GET as never, back.slice(APP.length), {
      jar,
      params: { provider: "oidc" },
      origin: null,
    });
    expect(first.setCookies.some((c) => c.name === "__Host-access" && c.value)).toBe(true);
    // The same callback again: the flow cookie is gone (and the provider would refuse the code).
    const replay = await call(callback.GET as never, back.slice(APP.length), {
      jar,
      params: { provider: "oidc" },
      origin: null,
    });
    expect(replay.headers.get("location")).toBe(`${APP}/login?error=provider_state`);
  });

  it.each(["oidc", "github"] as const)(
    "%s: an attacker's code injected into the victim's callback (with the victim's state and cookie) is refused by PKCE",
    async (provider) => {
      // The attacker's own flow, stopped at the callback: a valid code for the attacker's identity.
      const attacker = new CookieJar();
      const own = await call(start.GET as never, `/api/auth/oauth/${provider}`, {
        jar: attacker,
        params: { provider },
      });
      const back = new URL(
        await atProvider(
          own.headers.get("location")!,
          provider === "oidc" ? { account: "oidc-ada" } : { login: "octo" },
        ),
      );
      // The victim's flow: its state and its verifier (in its cookie).
      const victim = new CookieJar();
      const theirs = await call(start.GET as never, `/api/auth/oauth/${provider}`, {
        jar: victim,
        params: { provider },
      });
      const victimState = new URL(theirs.headers.get("location")!).searchParams.get("state")!;
      back.searchParams.set("state", victimState);
      const done = await call(callback.GET as never, back.pathname + back.search, {
        jar: victim,
        params: { provider },
        origin: null,
      });
      expect(done.headers.get("location")).toBe(`${APP}/login?error=provider_error`);
      expect(done.setCookies.some((c) => c.name === "__Host-access" && c.value)).toBe(false);
    },
  );

  it("the provider's access denied ends cleanly on the sign-in page", async () => {
    const oidc = await continueWith("oidc", new CookieJar(), { cancel: true });
    expect(oidc.next).toBe(`${APP}/login?error=access_denied`);
    const github = await continueWith("github", new CookieJar(), { login: "octo", cancel: true });
    expect(github.next).toBe(`${APP}/login?error=access_denied`);
  });
});

describe("sign-up and sign-in", () => {
  it("a new OpenID identity with a verified address signs up, no password, address verified; signs in again later", async () => {
    setOidcAccount("new-1", { email: "new-one@oidc.example", email_verified: true, name: "New One" });
    const jar = new CookieJar();
    const { next } = await continueWith("oidc", jar, { account: "new-1" });
    expect(next).toBe(`${APP}/dashboard`);
    const me = await call(r.me.GET, "/api/me", { jar });
    expect(me.json.user).toMatchObject({ email: "new-one@oidc.example", name: "New One", emailVerified: true });
    expect(decodePayload(jar.get("__Host-access")!).amr).toEqual(["fed"]);
    const devices = (await call(r.sessions.GET, "/api/auth/sessions", { jar })).json.sessions;
    expect(devices.map((d: { signedInWith: string }) => d.signedInWith)).toEqual(["Test SSO"]);
    // No password: a password sign-in to this account finds nothing to match.
    const login = await call(r.login.POST, "/api/auth/login", {
      body: { email: "new-one@oidc.example", password: "anything-at-all" },
    });
    expect(login.status).toBe(401);
    const again = await continueWith("oidc", new CookieJar(), { account: "new-1" });
    expect(again.next).toBe(`${APP}/dashboard`);
  });

  it("GitHub: only a verified primary address counts; an unverified one makes no account", async () => {
    const jar = new CookieJar();
    const octo = await continueWith("github", jar, { login: "octo" });
    expect(octo.next).toBe(`${APP}/dashboard`);
    expect((await call(r.me.GET, "/api/me", { jar })).json.user.email).toBe("octo@github.example");
    const lurker = await continueWith("github", new CookieJar(), { login: "lurker" });
    expect(lurker.next).toBe(`${APP}/login?error=provider_email_unverified`);
    // A verified address that is not the primary one does not count either.
    setGithubUser("secondary", {
      id: 1003,
      login: "secondary",
      name: "Secondary",
      emails: [
        { email: "secondary-primary@github.example", primary: true, verified: false },
        { email: "secondary-other@github.example", primary: false, verified: true },
      ],
    });
    const secondary = await continueWith("github", new CookieJar(), { login: "secondary" });
    expect(secondary.next).toBe(`${APP}/login?error=provider_email_unverified`);
  });
});

describe("linking, and the takeovers it must not allow", () => {
  async function passwordAccount(email: string, verified: boolean) {
    const jar = new CookieJar();
    expect(
      (await call(r.register.POST, "/api/auth/register", { body: { email, password: "password-123" }, jar })).status,
    ).toBe(201);
    if (verified) {
      // The address proven by its verification link, clicked in the same browser (session proof).
      const mail = (await mailbox(email)).find((m) => m.kind === "email_verification")!;
      const token = /#token=([A-Za-z0-9_-]{43})/.exec(mail.text)![1];
      const verify = await import("@/app/api/auth/email/verify/route");
      expect((await call(verify.POST, "/api/auth/email/verify", { body: { token }, jar })).status).toBe(200);
    }
    return jar;
  }

  it("verified provider address + verified account: linked automatically, the provider signs in to it, the owner is told", async () => {
    const email = uniqueAddress("linked");
    await passwordAccount(email, true);
    setOidcAccount("link-ok", { email, email_verified: true, name: "Linked" });
    const jar = new CookieJar();
    const { next } = await continueWith("oidc", jar, { account: "link-ok" });
    expect(next).toBe(`${APP}/dashboard`);
    expect((await call(r.me.GET, "/api/me", { jar })).json.user.email).toBe(email);
    const notice = (await mailbox(email)).find((m) => m.kind === "provider_connected");
    expect(notice?.subject).toBe("Test SSO can now sign in to your account");
  });

  it("an unverified provider address never links, even to a verified account", async () => {
    const email = uniqueAddress("unverified-provider");
    await passwordAccount(email, true);
    setOidcAccount("link-unverified", { email, email_verified: false, name: "Squatter" });
    const { next, done } = await continueWith("oidc", new CookieJar(), { account: "link-unverified" });
    expect(next).toBe(`${APP}/login?error=account_exists`);
    expect(done.setCookies.some((c) => c.name === "__Host-access" && c.value)).toBe(false);
  });

  it("pre-registration: a password account nobody verified is not linked to the real owner's provider sign-in", async () => {
    const email = uniqueAddress("preregistered");
    await passwordAccount(email, false); // the squatter's password, never verified
    setOidcAccount("victim", { email, email_verified: true, name: "Victim" });
    const { next } = await continueWith("oidc", new CookieJar(), { account: "victim" });
    expect(next).toBe(`${APP}/login?error=account_exists`);
    // The squatter's password still opens only the squatter's unlinked, unverified account.
    const rt = await (await import("@/lib/server/runtime")).getRuntime();
    const user = await rt.storage.store.userByEmail(email);
    expect(await rt.auth.connectedAccounts(user!.id)).toEqual([]);
  });

  it("connecting needs a session and a recent sign-in; a cross-site form cannot start it", async () => {
    const anonymous = await call(start.POST as never, "/api/auth/oauth/oidc", {
      method: "POST",
      params: { provider: "oidc" },
    });
    expect(anonymous.status).toBe(401);
    const jar = await passwordAccount(uniqueAddress("stale"), false);
    const crossSite = await call(start.POST as never, "/api/auth/oauth/oidc", {
      method: "POST",
      jar,
      params: { provider: "oidc" },
      origin: "https://evil.example",
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.setCookies.some((c) => c.name === "__Host-oauth")).toBe(false);
    const stale = await call(start.POST as never, "/api/auth/oauth/oidc", {
      method: "POST",
      jar: await withStaleSignIn(jar),
      params: { provider: "oidc" },
    });
    expect(stale.status).toBe(401);
    expect(stale.json.error).toBe("reauthentication_required");
  });

  it("connect after signing in (step-up), disconnect, and never the last way to sign in", async () => {
    const email = uniqueAddress("connect");
    const jar = await passwordAccount(email, false);
    setOidcAccount("connect-me", { email: "someone-else@oidc.example", email_verified: true, name: "Connected" });
    const connected = await continueWith("oidc", jar, { account: "connect-me" }, "connect");
    expect(connected.next).toBe(`${APP}/account/security?connected=oidc`);
    // A page of ours that moves on, not a 302: the security page needs the Strict session cookies.
    expect(connected.done.status).toBe(200);
    expect((await mailbox(email)).map((m) => m.kind)).toContain("provider_connected");
    expect((await call(providers.GET as never, "/api/auth/providers", { jar })).json.connected).toEqual([
      expect.objectContaining({ provider: "oidc", email: "someone-else@oidc.example" }),
    ]);
    // The identity is this account's now: the provider signs in to it.
    const viaProvider = new CookieJar();
    await continueWith("oidc", viaProvider, { account: "connect-me" });
    expect((await call(r.me.GET, "/api/me", { jar: viaProvider })).json.user.email).toBe(email);
    // Connecting the same identity to another account is refused.
    const other = await passwordAccount(uniqueAddress("other"), false);
    const elsewhere = await continueWith("oidc", other, { account: "connect-me" }, "connect");
    expect(elsewhere.next).toBe(`${APP}/account/security?error=linked_elsewhere`);
    expect(elsewhere.done.status).toBe(200);
    const removed = await call(disconnect.DELETE as never, "/api/auth/providers/oidc", {
      method: "DELETE",
      jar,
      params: { provider: "oidc" },
    });
    expect(removed.status).toBe(200);

    // A provider-made account (no password, no passkey) cannot drop its only way in.
    const onlyWay = new CookieJar();
    setOidcAccount("only-way", { email: uniqueAddress("only"), email_verified: true, name: "Only" });
    await continueWith("oidc", onlyWay, { account: "only-way" });
    const refused = await call(disconnect.DELETE as never, "/api/auth/providers/oidc", {
      method: "DELETE",
      jar: onlyWay,
      params: { provider: "oidc" },
    });
    expect(refused.status).toBe(409);
    expect(refused.json.error).toBe("last_sign_in_method");
  });
});

describe("the second step after a provider", () => {
  it("a provider sign-in of an account with two-step on gets the pending cookie and /two-factor, no session", async () => {
    setOidcAccount("two-step", { email: uniqueAddress("twostep"), email_verified: true, name: "Two Step" });
    const jar = new CookieJar();
    await continueWith("oidc", jar, { account: "two-step" });
    const setup = await import("@/app/api/auth/two-factor/setup/route");
    const enable = await import("@/app/api/auth/two-factor/enable/route");
    const secret = (await call(setup.POST, "/api/auth/two-factor/setup", { method: "POST", jar })).json.secret;
    expect(
      (await call(enable.POST, "/api/auth/two-factor/enable", { jar, body: { code: totpCode(secret, Date.now()) } }))
        .status,
    ).toBe(200);
    const browser = new CookieJar();
    const { next, done } = await continueWith("oidc", browser, { account: "two-step" });
    expect(next).toBe(`${APP}/two-factor?next=%2Fdashboard`);
    expect(done.setCookies.filter((c) => c.value).map((c) => c.name)).toEqual(["__Host-pending"]);
    expect((await call(r.me.GET, "/api/me", { jar: browser })).status).toBe(401);
    // The second step completes it: the session says both, and where it came from.
    const verify = await import("@/app/api/auth/two-factor/verify/route");
    const stepped = await call(verify.POST, "/api/auth/two-factor/verify", {
      jar: browser,
      body: { code: totpCode(secret, Date.now() + 30_000) },
    });
    expect(stepped.status).toBe(200);
    expect((decodePayload(browser.get("__Host-access")!).amr as string[]).toSorted()).toEqual(["fed", "mfa", "otp"]);
    const devices = (await call(r.sessions.GET, "/api/auth/sessions", { jar: browser })).json.sessions;
    expect(devices.find((d: { current: boolean }) => d.current).signedInWith).toBe("Test SSO and authenticator app");
  });
});
