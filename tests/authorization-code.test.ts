/**
 * The authorization code grant's core rules with an injected clock (RFC 8252, RFC 7636, RFC 6749
 * §4.1.2): a code lives a minute, is used once (two exchanges at once: one wins, and the code's
 * session ends anyway), inherits the browser sign-in's amr and auth_time, and is refused when the
 * account or the browser session ended meanwhile. Both engines.
 */
import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkAuthorizeRequest, redirectUriMatches } from "@/lib/auth/authorization-code";
import { pruneOnce } from "@/lib/auth/pruning";
import { parseConfig } from "@/lib/config";
import { META, MINUTE, SECOND, makeAuth } from "./helpers";

const REDIRECT = "http://127.0.0.1:49152/callback";
const { nativeClients } = parseConfig({
  AUTH_NATIVE_CLIENTS: JSON.stringify([
    { client_id: "app", name: "The App", redirect_uris: ["http://127.0.0.1/callback"] },
  ]),
});

function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

async function setup() {
  const t = await makeAuth({ nativeClients });
  const email = `code-${randomBytes(4).toString("hex")}@example.com`;
  const registered = await t.auth.register({ email, password: "password-123" }, META);
  if (!registered.ok || !("access" in registered)) throw new Error("no session");
  const browser = { userId: registered.user.id, familyId: registered.access.claims.sid, signedInAt: t.clock.now() };
  async function issue() {
    const { verifier, challenge } = pkce();
    const checked = checkAuthorizeRequest(
      new URLSearchParams({
        response_type: "code",
        client_id: "app",
        redirect_uri: REDIRECT,
        code_challenge: challenge,
        code_challenge_method: "S256",
        state: "s",
      }),
      nativeClients,
    );
    if (!checked.ok) throw new Error("request refused");
    const issued = await t.auth.issueAuthorizationCode(checked.request, browser, META);
    if (!issued.ok) throw new Error(issued.error);
    return { code: issued.code, verifier };
  }
  const exchange = (code: string, verifier: string) =>
    t.auth.authorizationCodeGrant({ code, clientId: "app", redirectUri: REDIRECT, codeVerifier: verifier }, META, null);
  const nativeSessions = async () =>
    (await t.store.activeFamilies(browser.userId, t.clock.now(), 0)).filter((f) => f.client === "native");
  return { ...t, browser, issue, exchange, nativeSessions };
}

describe("authorization codes (injected clock)", () => {
  it("live for a minute: at 59 s it works, at 60 s it is expired", async () => {
    const t = await setup();
    const early = await t.issue();
    t.clock.advance(59 * SECOND);
    expect((await t.exchange(early.code, early.verifier)).ok).toBe(true);
    const late = await t.issue();
    t.clock.advance(60 * SECOND);
    expect(await t.exchange(late.code, late.verifier)).toEqual({ ok: false, error: "invalid_grant" });
    // Expired is not a second use: nothing is ended or reported as a copied code.
    expect(await t.db.count("auth_events", { type: "authorization_code_reused" })).toBe(0);
    expect(await t.nativeSessions()).toHaveLength(1);
  });

  it("the app's session keeps the browser sign-in's auth_time: a code cannot make an old sign-in look fresh", async () => {
    const t = await setup();
    t.clock.advance(9 * MINUTE);
    const { code, verifier } = await t.issue();
    const done = await t.exchange(code, verifier);
    if (!done.ok) throw new Error(done.error);
    expect(done.access.claims.auth_time).toBe(Math.floor(t.browser.signedInAt / 1000));
    expect(done.access.claims.amr).toEqual(["pwd"]);
    expect(done.access.claims.iat - done.access.claims.auth_time).toBe(9 * 60);
    expect((await t.nativeSessions())[0].nativeClientId).toBe("app");
  });

  it("two exchanges of one code at once: at most one gets tokens, and no session from that code survives", async () => {
    const t = await setup();
    for (let round = 0; round < 5; round++) {
      const { code, verifier } = await t.issue();
      const results = await Promise.all([t.exchange(code, verifier), t.exchange(code, verifier)]);
      expect(results.filter((r) => r.ok).length).toBeLessThanOrEqual(1);
      expect(await t.nativeSessions()).toEqual([]);
    }
  });

  it("a second use that arrives before the first exchange recorded its family still ends that family", async () => {
    const t = await setup();
    const { code } = await t.issue();
    const row = await t.store.authorizationCode(createHash("sha256").update(code).digest("hex"));
    expect(await t.store.useAuthorizationCode({ id: row!.id, now: t.clock.now() })).toBe(true);
    expect(await t.store.useAuthorizationCode({ id: row!.id, now: t.clock.now() })).toBe(false);
    // The second use comes first: no family to end yet, but the code is marked…
    expect(await t.store.replayAuthorizationCode({ id: row!.id, now: t.clock.now() })).toEqual({ familyId: null });
    // …so the first exchange, recording its family, learns of it and ends it.
    expect(await t.store.authorizationCodeStarted({ id: row!.id, familyId: "f-1" })).toEqual({ replayed: true });
    // And the other way round: the family recorded first is what a later second use ends.
    const other = await t.issue();
    const row2 = await t.store.authorizationCode(createHash("sha256").update(other.code).digest("hex"));
    await t.store.useAuthorizationCode({ id: row2!.id, now: t.clock.now() });
    expect(await t.store.authorizationCodeStarted({ id: row2!.id, familyId: "f-2" })).toEqual({ replayed: false });
    expect(await t.store.replayAuthorizationCode({ id: row2!.id, now: t.clock.now() })).toEqual({ familyId: "f-2" });
  });

  it("an account disabled after the code was issued gets no session", async () => {
    const t = await setup();
    const { code, verifier } = await t.issue();
    const now = t.clock.now();
    await t.store.updateAccount({
      userId: t.browser.userId,
      change: { disabledAt: now },
      now,
      event: {
        type: "account_disabled",
        at: now,
        userId: t.browser.userId,
        familyId: null,
        ip: null,
        userAgent: null,
        detail: "{}",
      },
    });
    expect(await t.exchange(code, verifier)).toEqual({ ok: false, error: "invalid_grant" });
  });

  it("a browser session that has ended vouches for nobody", async () => {
    const t = await setup();
    expect((await t.auth.endSession(t.browser.userId, t.browser.familyId, META)).ok).toBe(true);
    const { challenge } = pkce();
    const checked = checkAuthorizeRequest(
      new URLSearchParams({
        response_type: "code",
        client_id: "app",
        redirect_uri: REDIRECT,
        code_challenge: challenge,
        code_challenge_method: "S256",
        state: "s",
      }),
      nativeClients,
    );
    if (!checked.ok) throw new Error("refused");
    expect(await t.auth.issueAuthorizationCode(checked.request, t.browser, META)).toEqual({
      ok: false,
      error: "session_ended",
    });
  });

  it("used and expired codes are pruned an hour after expiry (until then a late second use still ends the session)", async () => {
    const t = await setup();
    await t.issue();
    const settings = { refreshTokenTtl: 7 * 86400, auditRetention: 90 * 86400 };
    expect((await pruneOnce(t.store, { now: t.clock.now() + 30 * MINUTE, ...settings }))?.authorizationCodes).toBe(0);
    expect((await pruneOnce(t.store, { now: t.clock.now() + 62 * MINUTE, ...settings }))?.authorizationCodes).toBe(1);
    expect(await t.db.count("authorization_codes")).toBe(0);
  });
});

describe("redirect URI matching (pure)", () => {
  const client = nativeClients[0];
  it("exact but for a loopback port", () => {
    expect(redirectUriMatches(client, "http://127.0.0.1:1234/callback")).toBe(true);
    expect(redirectUriMatches(client, "http://127.0.0.1/callback")).toBe(true);
    for (const bad of [
      "http://127.0.0.1:1234/callback?x",
      "http://127.0.0.1:1234/callback#x",
      "http://127.0.0.1:1234/callback/.",
      "http://127.0.0.1:01234/callback",
      "http://0x7f.0.0.1:1234/callback",
      "http://127.1:1234/callback",
      "http://127.0.0.1@evil.example/callback",
      "http://localhost:1234/callback",
      "not a url",
    ])
      expect(redirectUriMatches(client, bad), bad).toBe(false);
  });
});
