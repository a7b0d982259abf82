import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { generateKeySetJson, loadKeySet } from "@/lib/auth/keys";
import { signAccessToken, verifyAccessToken } from "@/lib/auth/access-token";
import { createVerifiedTokenCache } from "@/lib/auth/verified-token-cache";
import { hs256WithPublicKey, signWithRealKey, tamperPayload, unsigned, validClaims } from "./forge";
import { AUDIENCE, ISSUER, testKeys } from "./helpers";

const settings = { issuer: ISSUER, audience: AUDIENCE, accessTokenTtl: 900 };
const nowMs = () => Date.now();
const nowS = () => Math.floor(Date.now() / 1000);

async function verify(token: string, at = nowMs()) {
  return verifyAccessToken(token, await testKeys(), settings, at);
}

describe("access token issuance", () => {
  it("has header alg/typ/kid and exactly the documented claims, and is small", async () => {
    const keys = await testKeys();
    const { token, claims } = await signAccessToken(
      { userId: "u1", familyId: "f1", tokenVersion: 3, role: "admin" },
      keys,
      settings,
      nowMs(),
      "j1",
    );
    const [h, p] = token
      .split(".")
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, "base64url").toString()));
    expect(h).toEqual({ alg: "ES256", typ: "at+jwt", kid: keys.signing.kid });
    expect(Object.keys(p).sort()).toEqual([
      "amr",
      "aud",
      "auth_time",
      "exp",
      "iat",
      "iss",
      "jti",
      "role",
      "sid",
      "sub",
      "ver",
    ]);
    expect(p.amr).toEqual(["pwd"]);
    expect(p.auth_time).toBe(p.iat);
    expect(p.exp - p.iat).toBe(900);
    expect(claims).toMatchObject({ sub: "u1", sid: "f1", ver: 3, role: "admin", jti: "j1" });
    expect(token.length).toBeLessThan(1024);
    expect((await verify(token)).ok).toBe(true);
  });
});

describe("verification refuses forged tokens", () => {
  it("(control) a hand-signed token with valid claims passes, so each case below fails for its one flaw", async () => {
    const keys = await testKeys();
    expect((await verify(await signWithRealKey(keys, validClaims()))).ok).toBe(true);
  });

  it("alg none (no signature, junk signature, any casing)", async () => {
    for (const alg of ["none", "None", "NONE", "nOnE"]) {
      expect((await verify(unsigned(alg))).ok, alg).toBe(false);
      expect((await verify(unsigned(alg, validClaims(), "AAAA"))).ok, alg).toBe(false);
    }
  });

  it("HS256 signed with the server's public key (PEM, JWK and raw)", async () => {
    const keys = await testKeys();
    for (const form of ["pem", "jwk", "raw"] as const) {
      expect(await verify(await hs256WithPublicKey(keys, form))).toMatchObject({ ok: false });
    }
  });

  it("wrong typ (none, JWT, refresh-ish) ", async () => {
    const keys = await testKeys();
    for (const typ of [undefined, "JWT", "refresh+jwt"]) {
      expect((await verify(await signWithRealKey(keys, validClaims(), { typ }))).ok, String(typ)).toBe(false);
    }
  });

  it("wrong issuer or audience", async () => {
    const keys = await testKeys();
    expect((await verify(await signWithRealKey(keys, { ...validClaims(), iss: "https://evil.example" }))).ok).toBe(
      false,
    );
    expect(
      (await verify(await signWithRealKey(keys, { ...validClaims(), aud: "https://other-service.example" }))).ok,
    ).toBe(false);
  });

  it("missing exp, iat, sub, jti, sid, ver or role", async () => {
    const keys = await testKeys();
    for (const claim of ["exp", "iat", "sub", "jti", "sid", "ver", "role"]) {
      const token = await signWithRealKey(keys, { ...validClaims(), [claim]: undefined });
      expect((await verify(token)).ok, claim).toBe(false);
    }
  });

  it("expired (beyond the small clock tolerance) and issued too long ago", async () => {
    const keys = await testKeys();
    const past = nowS() - 2000;
    expect((await verify(await signWithRealKey(keys, { ...validClaims(past), exp: nowS() - 10 }))).ok).toBe(false);
    // exp still in the future but iat older than the TTL allows: not one of ours.
    expect((await verify(await signWithRealKey(keys, { ...validClaims(), iat: nowS() - 3600 }))).ok).toBe(false);
    // Within tolerance still passes.
    const { token } = await signAccessToken(
      { userId: "u", familyId: "f", tokenVersion: 0, role: "user" },
      keys,
      settings,
      nowMs(),
      "j",
    );
    expect((await verify(token, nowMs() + 902_000)).ok).toBe(true);
    expect((await verify(token, nowMs() + 906_000)).ok).toBe(false);
  });

  it("future nbf and future iat", async () => {
    const keys = await testKeys();
    expect((await verify(await signWithRealKey(keys, { ...validClaims(), nbf: nowS() + 600 }))).ok).toBe(false);
    expect((await verify(await signWithRealKey(keys, { ...validClaims(), iat: nowS() + 600 }))).ok).toBe(false);
  });

  it("unknown kid, missing kid, and a key from another key set", async () => {
    const keys = await testKeys();
    expect((await verify(await signWithRealKey(keys, validClaims(), { kid: "someone-elses-key" }))).ok).toBe(false);
    expect((await verify(await signWithRealKey(keys, validClaims(), { kid: undefined }))).ok).toBe(false);
    const other = await loadKeySet(await generateKeySetJson("ES256"));
    const impostor = await new SignJWT(validClaims())
      .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: keys.signing.kid })
      .sign(other.signing.key);
    expect((await verify(impostor)).ok).toBe(false);
  });

  it("a tampered payload under a valid signature", async () => {
    const keys = await testKeys();
    const token = await signWithRealKey(keys, validClaims());
    expect((await verify(tamperPayload(token, { ...validClaims(), role: "admin" }))).ok).toBe(false);
  });

  it("wrong claim types (string exp, negative ver, unknown role)", async () => {
    const keys = await testKeys();
    for (const patch of [{ exp: String(nowS() + 900) }, { ver: -1 }, { role: "superuser" }, { sub: 42 }]) {
      expect(
        (await verify(await signWithRealKey(keys, { ...validClaims(), ...patch }))).ok,
        JSON.stringify(patch),
      ).toBe(false);
    }
  });

  it("unknown crit header", async () => {
    const keys = await testKeys();
    const token = await signWithRealKey(keys, validClaims(), { crit: ["x-unknown"], "x-unknown": 1 } as never);
    expect((await verify(token)).ok).toBe(false);
  });
});

describe("key sets", () => {
  it("the first key signs, every key verifies (rotation), chosen by kid; EdDSA accepted", async () => {
    const oldSet = JSON.parse(await generateKeySetJson("ES256")).keys[0];
    const newSet = JSON.parse(await generateKeySetJson("EdDSA")).keys[0];
    const before = await loadKeySet(JSON.stringify({ keys: [oldSet] }));
    const after = await loadKeySet(JSON.stringify({ keys: [newSet, oldSet] }));
    expect(after.signing.alg).toBe("EdDSA");
    const oldToken = (
      await signAccessToken(
        { userId: "u", familyId: "f", tokenVersion: 0, role: "user" },
        before,
        settings,
        nowMs(),
        "a",
      )
    ).token;
    const newToken = (
      await signAccessToken(
        { userId: "u", familyId: "f", tokenVersion: 0, role: "user" },
        after,
        settings,
        nowMs(),
        "b",
      )
    ).token;
    expect((await verifyAccessToken(oldToken, after, settings, nowMs())).ok).toBe(true);
    expect((await verifyAccessToken(newToken, after, settings, nowMs())).ok).toBe(true);
    expect((await verifyAccessToken(newToken, before, settings, nowMs())).ok).toBe(false);
  });

  it("publishes public halves only, with kid, alg and use", async () => {
    const keys = await loadKeySet(await generateKeySetJson("EdDSA"));
    for (const key of keys.publicJwks.keys) {
      expect(key).toMatchObject({ kid: expect.any(String), alg: "EdDSA", use: "sig", kty: "OKP", crv: "Ed25519" });
      expect(key).not.toHaveProperty("d");
    }
  });

  it("refuses malformed key sets with a message naming the problem", async () => {
    const good = JSON.parse(await generateKeySetJson("ES256")).keys[0];
    await expect(loadKeySet("not json")).rejects.toThrow(/AUTH_SIGNING_KEYS is not valid JSON/);
    await expect(loadKeySet('{"keys":[]}')).rejects.toThrow(/at least one key/);
    await expect(loadKeySet(JSON.stringify({ keys: [{ ...good, kid: undefined }] }))).rejects.toThrow(/kid/);
    await expect(loadKeySet(JSON.stringify({ keys: [{ ...good, alg: "HS256" }] }))).rejects.toThrow(/alg/);
    await expect(loadKeySet(JSON.stringify({ keys: [{ ...good, d: undefined }] }))).rejects.toThrow(/private part/);
    await expect(loadKeySet(JSON.stringify({ keys: [good, good] }))).rejects.toThrow(/appears twice/);
  });
});

describe("verified-token cache", () => {
  it("returns cached claims until exp, then forgets them; bounded in size", () => {
    const cache = createVerifiedTokenCache(2);
    const claims = { ...validClaims(), exp: 1000, iat: 100 } as never;
    cache.set("a", claims);
    expect(cache.get("a", 500_000)).toBeTruthy();
    expect(cache.get("a", 1_010_000)).toBeUndefined();
    cache.set("a", claims);
    cache.set("b", claims);
    cache.set("c", claims);
    expect(cache.size).toBe(2);
    expect(cache.get("a", 500_000)).toBeUndefined();
  });
});
