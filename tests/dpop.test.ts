/**
 * DPoP (RFC 9449) and native grants in the core: every proof rule with a proof forged to break
 * it, binding of families and access tokens to the key, and native/browser separation.
 */
import { SignJWT, exportJWK, generateKeyPair, importJWK } from "jose";
import { describe, expect, it } from "vitest";
import { accessTokenHash, verifyDpopProof } from "@/lib/auth/dpop";
import { createDpopProof, generateDpopKey, type DpopKey } from "@/lib/native/dpop-proof";
import { b64, rsaKeyWithHugeExponent } from "./forge";
import { META, MINUTE, SECOND, makeAuth } from "./helpers";

const URL_TOKEN = "http://localhost:3000/api/auth/token";
const NOW = Date.UTC(2026, 0, 1);
const req = (extra: Partial<Parameters<typeof verifyDpopProof>[1]> = {}) => ({
  method: "POST",
  url: URL_TOKEN,
  now: NOW,
  ...extra,
});

async function proofWith(key: DpopKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  return new SignJWT({ htm: "POST", htu: URL_TOKEN, jti: crypto.randomUUID(), iat: Math.floor(NOW / 1000), ...claims })
    .setProtectedHeader({ typ: "dpop+jwt", alg: "ES256", jwk: key.publicJwk, ...header })
    .sign(key.privateKey);
}

async function expectRefused(proof: string, error: string, request = req()) {
  const result = await verifyDpopProof(proof, request);
  expect(result, error).toEqual({ ok: false, error });
}

describe("DPoP proof rules (each with a forged proof)", () => {
  it("(control) a well-made proof verifies and yields the key's RFC 7638 thumbprint", async () => {
    const key = await generateDpopKey();
    const result = await verifyDpopProof(
      await createDpopProof(key, { method: "POST", url: URL_TOKEN, now: NOW }),
      req(),
    );
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.jkt).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("typ must be dpop+jwt", async () => {
    const key = await generateDpopKey();
    await expectRefused(await proofWith(key, {}, { typ: "JWT" }), "dpop_bad_typ");
    await expectRefused(await proofWith(key, {}, { typ: "at+jwt" }), "dpop_bad_typ");
  });

  it("alg must be asymmetric: none and HS256 are refused", async () => {
    const key = await generateDpopKey();
    const none = `${b64({ typ: "dpop+jwt", alg: "none", jwk: key.publicJwk })}.${b64({ htm: "POST", htu: URL_TOKEN, jti: "abcdefgh1", iat: NOW / 1000 })}.`;
    await expectRefused(none, "dpop_malformed");
    const hs = await new SignJWT({ htm: "POST", htu: URL_TOKEN, jti: "abcdefgh2", iat: NOW / 1000 })
      .setProtectedHeader({ typ: "dpop+jwt", alg: "HS256", jwk: { kty: "oct", k: "c2VjcmV0" } as never })
      .sign(new TextEncoder().encode("secret-secret-secret-secret-secret!"));
    await expectRefused(hs, "dpop_bad_alg");
  });

  it("the jwk must be there, public only, and the key that signed", async () => {
    const key = await generateDpopKey();
    await expectRefused(await proofWith(key, {}, { jwk: undefined }), "dpop_bad_jwk");
    const { privateKey } = await generateKeyPair("ES256", { extractable: true });
    const privateJwk = await exportJWK(privateKey);
    await expectRefused(await proofWith(key, {}, { jwk: privateJwk }), "dpop_bad_jwk");
    const other = await generateDpopKey();
    await expectRefused(await proofWith(key, {}, { jwk: other.publicJwk }), "dpop_bad_signature");
  });

  it("htm and htu must name this request (query and fragment ignored, nothing else)", async () => {
    const key = await generateDpopKey();
    await expectRefused(await proofWith(key, { htm: "GET" }), "dpop_htm_mismatch");
    await expectRefused(await proofWith(key, { htu: "https://evil.example/api/auth/token" }), "dpop_htu_mismatch");
    await expectRefused(await proofWith(key, { htu: "http://localhost:3000/api/me" }), "dpop_htu_mismatch");
    await expectRefused(await proofWith(key, { htu: 42 }), "dpop_htu_mismatch");
    const withQuery = await proofWith(key, { htu: `${URL_TOKEN}?x=1#y` });
    expect((await verifyDpopProof(withQuery, req())).ok).toBe(true);
  });

  it("iat must be fresh: 61 s old or 6 s ahead is refused", async () => {
    const key = await generateDpopKey();
    await expectRefused(await proofWith(key, { iat: NOW / 1000 - 61 }), "dpop_stale");
    await expectRefused(await proofWith(key, { iat: NOW / 1000 + 6 }), "dpop_stale");
    await expectRefused(await proofWith(key, { iat: "now" }), "dpop_stale");
    expect((await verifyDpopProof(await proofWith(key, { iat: NOW / 1000 - 59 }), req())).ok).toBe(true);
  });

  it("jti must be present and sane", async () => {
    const key = await generateDpopKey();
    await expectRefused(await proofWith(key, { jti: undefined }), "dpop_bad_jti");
    await expectRefused(await proofWith(key, { jti: "x" }), "dpop_bad_jti");
    await expectRefused(await proofWith(key, { jti: "j".repeat(300) }), "dpop_bad_jti");
  });

  it("with an access token, ath must be its hash", async () => {
    const key = await generateDpopKey();
    const url = "http://localhost:3000/api/me";
    const request = req({ method: "GET", url, accessToken: "the.access.token" });
    await expectRefused(await proofWith(key, { htm: "GET", htu: url }), "dpop_ath_mismatch", request);
    await expectRefused(
      await proofWith(key, { htm: "GET", htu: url, ath: accessTokenHash("another.access.token") }),
      "dpop_ath_mismatch",
      request,
    );
    expect(
      (
        await verifyDpopProof(
          await proofWith(key, { htm: "GET", htu: url, ath: accessTokenHash("the.access.token") }),
          request,
        )
      ).ok,
    ).toBe(true);
  });

  it("RSA keys only with e = 65537 and a 2048- to 4096-bit modulus: a huge exponent is refused before any signature check", async () => {
    const sign = async (privateJwk: Record<string, unknown>, alg = "RS256") => {
      const publicJwk = Object.fromEntries(
        Object.entries(privateJwk).filter(([member]) => !["d", "p", "q", "dp", "dq", "qi"].includes(member)),
      );
      return new SignJWT({ htm: "POST", htu: URL_TOKEN, jti: crypto.randomUUID(), iat: NOW / 1000 })
        .setProtectedHeader({ typ: "dpop+jwt", alg, jwk: publicJwk })
        .sign(await importJWK(privateJwk, alg));
    };
    // The attack run's proof: a valid signature under a 3072-bit modulus and a 3071-bit exponent.
    const huge = await rsaKeyWithHugeExponent(3072);
    const forged = await sign(huge);
    const started = performance.now();
    await expectRefused(forged, "dpop_bad_jwk");
    expect(performance.now() - started).toBeLessThan(5);
    // The standard exponent at 2048 bits is fine (RS256 and PS256).
    for (const alg of ["RS256", "PS256"]) {
      const { privateKey } = await generateKeyPair(alg, { modulusLength: 2048, extractable: true });
      expect((await verifyDpopProof(await sign(await exportJWK(privateKey), alg), req())).ok).toBe(true);
    }
    // Too short a modulus, a long one faked with leading zeros, too long, another exponent:
    // refused from the header alone (these proofs are not even signed).
    const fakeRsa = (n: Buffer, e = "AQAB") =>
      [
        b64({ typ: "dpop+jwt", alg: "RS256", jwk: { kty: "RSA", e, n: n.toString("base64url") } }),
        b64({ htm: "POST", htu: URL_TOKEN, jti: crypto.randomUUID(), iat: NOW / 1000 }),
        b64("not a signature"),
      ].join(".");
    await expectRefused(fakeRsa(Buffer.alloc(128, 0xff)), "dpop_bad_jwk");
    await expectRefused(fakeRsa(Buffer.concat([Buffer.alloc(200), Buffer.alloc(128, 0xff)])), "dpop_bad_jwk");
    await expectRefused(fakeRsa(Buffer.alloc(513, 0xff)), "dpop_bad_jwk");
    await expectRefused(fakeRsa(Buffer.alloc(256, 0xff), "AQAD"), "dpop_bad_jwk");
    // (control) the same unsigned proof with an acceptable key fails only at the signature.
    await expectRefused(fakeRsa(Buffer.alloc(256, 0xff)), "dpop_bad_signature");
  });

  it("garbage is malformed, never an exception", async () => {
    for (const proof of ["", "a.b", "a.b.c", "x".repeat(5000), `${b64("{")}.${b64("{}")}.sig`]) {
      const result = await verifyDpopProof(proof, req());
      expect(result.ok).toBe(false);
    }
  });
});

describe("native grants and DPoP binding", () => {
  async function setup() {
    const ctx = await makeAuth();
    ctx.clock.set(NOW);
    await ctx.auth.register({ email: "app@example.com", password: "correct horse battery" }, META);
    const key = await generateDpopKey();
    const proof = async (k = key, extra: { url?: string; method?: string; accessToken?: string } = {}) => {
      const made = await createDpopProof(k, {
        method: extra.method ?? "POST",
        url: extra.url ?? URL_TOKEN,
        now: ctx.clock.now(),
        accessToken: extra.accessToken,
      });
      const checked = await ctx.auth.checkDpopProof(made, {
        method: extra.method ?? "POST",
        url: extra.url ?? URL_TOKEN,
        accessToken: extra.accessToken,
      });
      if (!checked.ok) throw new Error(checked.error);
      return checked.jkt;
    };
    return { ...ctx, key, proof };
  }

  it("a replayed proof is refused (the cache is in the database)", async () => {
    const ctx = await setup();
    const made = await createDpopProof(ctx.key, { method: "POST", url: URL_TOKEN, now: ctx.clock.now() });
    expect((await ctx.auth.checkDpopProof(made, { method: "POST", url: URL_TOKEN })).ok).toBe(true);
    expect(await ctx.auth.checkDpopProof(made, { method: "POST", url: URL_TOKEN })).toEqual({
      ok: false,
      error: "dpop_replayed",
    });
  });

  it("a proof at sign-in binds the family: token type DPoP, cnf.jkt in every access token, same key for every refresh", async () => {
    const ctx = await setup();
    const jkt = await ctx.proof();
    const signedIn = await ctx.auth.passwordGrant(
      { email: "app@example.com", password: "correct horse battery" },
      META,
      jkt,
    );
    if (!signedIn.ok) throw new Error(signedIn.error);
    expect(signedIn.tokenType).toBe("DPoP");
    expect(signedIn.access.claims.cnf).toEqual({ jkt });
    ctx.clock.advance(MINUTE);
    // Without a proof, or with another key: refused, and the token is not burnt.
    expect(await ctx.auth.refreshGrant(signedIn.refresh.token, META, null)).toEqual({
      ok: false,
      error: "dpop_mismatch",
    });
    const thief = await generateDpopKey();
    expect(await ctx.auth.refreshGrant(signedIn.refresh.token, META, await ctx.proof(thief))).toEqual({
      ok: false,
      error: "dpop_mismatch",
    });
    const refreshed = await ctx.auth.refreshGrant(signedIn.refresh.token, META, await ctx.proof());
    if (!refreshed.ok) throw new Error(refreshed.error);
    expect(refreshed.access.claims.cnf).toEqual({ jkt });
    expect(refreshed.refresh.token).not.toBe(signedIn.refresh.token);
  });

  it("a bound access token is refused without its key's proof (as Bearer or cookie) and accepted with it", async () => {
    const ctx = await setup();
    const jkt = await ctx.proof();
    const signedIn = await ctx.auth.passwordGrant(
      { email: "app@example.com", password: "correct horse battery" },
      META,
      jkt,
    );
    if (!signedIn.ok) throw new Error();
    expect(await ctx.auth.authenticate(signedIn.access.token)).toEqual({ ok: false, error: "dpop_mismatch" });
    expect(await ctx.auth.authenticate(signedIn.access.token, "A".repeat(43))).toEqual({
      ok: false,
      error: "dpop_mismatch",
    });
    expect((await ctx.auth.authenticate(signedIn.access.token, jkt)).ok).toBe(true);
  });

  it("an unbound token presented with a proof is refused too (the binding is exact)", async () => {
    const ctx = await setup();
    const signedIn = await ctx.auth.passwordGrant(
      { email: "app@example.com", password: "correct horse battery" },
      META,
      null,
    );
    if (!signedIn.ok) throw new Error();
    expect(signedIn.tokenType).toBe("Bearer");
    expect(signedIn.access.claims.cnf).toBeUndefined();
    expect((await ctx.auth.authenticate(signedIn.access.token)).ok).toBe(true);
    expect(await ctx.auth.authenticate(signedIn.access.token, await ctx.proof())).toEqual({
      ok: false,
      error: "dpop_mismatch",
    });
  });

  it("browser and native families do not mix: each token refused on the other path, and not burnt", async () => {
    const ctx = await setup();
    const browser = await ctx.auth.login({ email: "app@example.com", password: "correct horse battery" }, META);
    const native = await ctx.auth.passwordGrant(
      { email: "app@example.com", password: "correct horse battery" },
      META,
      null,
    );
    if (!browser.ok || !native.ok) throw new Error();
    ctx.clock.advance(MINUTE);
    expect(await ctx.auth.refreshGrant(browser.refresh.token, META, null)).toEqual({
      ok: false,
      error: "wrong_client",
    });
    expect(await ctx.auth.refresh(native.refresh.token, META)).toEqual({ ok: false, error: "wrong_client" });
    expect((await ctx.auth.refresh(browser.refresh.token, META)).ok).toBe(true);
    expect((await ctx.auth.refreshGrant(native.refresh.token, META, null)).ok).toBe(true);
  });

  it("native rotation keeps every rule: grace answer repeats the presented token, reuse past grace ends the family", async () => {
    const ctx = await setup();
    const native = await ctx.auth.passwordGrant(
      { email: "app@example.com", password: "correct horse battery" },
      META,
      null,
    );
    if (!native.ok) throw new Error();
    const first = await ctx.auth.refreshGrant(native.refresh.token, META, null);
    if (!first.ok) throw new Error();
    ctx.clock.advance(2 * SECOND);
    const racing = await ctx.auth.refreshGrant(native.refresh.token, META, null);
    expect(racing.ok && racing.refresh.token).toBe(native.refresh.token);
    ctx.clock.advance(MINUTE);
    expect((await ctx.auth.refreshGrant(first.refresh.token, META, null)).ok).toBe(true);
    ctx.clock.advance(MINUTE);
    expect(await ctx.auth.refreshGrant(native.refresh.token, META, null)).toEqual({
      ok: false,
      error: "reuse_detected",
    });
  });

  it("revocation ends the family whatever the token; unknown tokens are fine too", async () => {
    const ctx = await setup();
    const native = await ctx.auth.passwordGrant(
      { email: "app@example.com", password: "correct horse battery" },
      META,
      null,
    );
    if (!native.ok) throw new Error();
    expect(await ctx.auth.revokeRefreshToken(native.refresh.token, META)).toEqual({ ok: true });
    expect((await ctx.auth.authenticate(native.access.token)).ok).toBe(false);
    expect((await ctx.auth.refreshGrant(native.refresh.token, META, null)).ok).toBe(false);
    expect(await ctx.auth.revokeRefreshToken("A".repeat(43), META)).toEqual({ ok: true });
    expect(await ctx.auth.revokeRefreshToken("garbage", META)).toEqual({ ok: true });
  });

  it("native sessions are in the device list, marked as apps", async () => {
    const ctx = await setup();
    const native = await ctx.auth.passwordGrant(
      { email: "app@example.com", password: "correct horse battery" },
      { ip: "203.0.113.9", userAgent: "ExampleApp/1.0 (iOS 18)" },
      await ctx.proof(),
    );
    if (!native.ok) throw new Error();
    const devices = await ctx.auth.listDevices(native.access.claims.sub, native.access.claims.sid);
    const app = devices.find((d) => d.id === native.access.claims.sid)!;
    expect(app).toMatchObject({ client: "native", dpopBound: true, current: true });
  });
});
