/**
 * The forged-token attack suite (RFC 8725, ASVS 5.0 V9): every case is a token an attacker could
 * send, refused by the one verification function (lib/auth/access-token.ts verifyAccessToken) AND by the
 * HTTP surface that uses it: GET /api/me (Bearer and cookie) answers a plain 401 JSON, never a 5xx,
 * and GET /api/auth/session reports "unauthenticated".
 *
 * Each forged token starts from the real claims of a real signed-in user (sub, sid, ver) and breaks
 * exactly one rule, and a control case shows the untouched form is accepted, so a refusal can only
 * come from the rule the case names. The proxy's side of the same attacks runs over real HTTP in
 * e2e/attacks-proxy.spec.ts.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeySetJson, loadKeySet, type KeySet } from "@/lib/auth/keys";
import { MAX_ACCESS_TOKEN_LENGTH, verifyAccessToken } from "@/lib/auth/access-token";
import {
  P256_ORDER,
  b64,
  decodePayload,
  highSTwin,
  hs256WithPublicKey,
  signJsonTexts,
  signWithKey,
  signWithRealKey,
  tamperPayload,
  unsigned,
  withSignature,
} from "./forge";
import { CookieJar, call, configureTestEnv, loadRoutes, APP } from "./http-client";
import { makeAuth, META } from "./helpers";

let r: Awaited<ReturnType<typeof loadRoutes>>;
let keys: KeySet;
let jar: CookieJar;
let realToken: string;
let base: { sub: string; sid: string; ver: number; role: string; amr: string[]; auth_time: number };

/** A local "attacker's key server": any fetch of jku/x5u would land here. */
let keyServer: http.Server;
let keyServerHits = 0;
let keyServerUrl = "";

const settings = { issuer: APP, audience: APP, accessTokenTtl: 900 };
const nowS = () => Math.floor(Date.now() / 1000);

/** Real claims of the signed-in user with a fresh jti: a token with these is accepted. */
function claims(patch: Record<string, unknown> = {}) {
  const iat = nowS();
  return { iss: APP, aud: APP, ...base, jti: `jti-${crypto.randomUUID()}`, iat, exp: iat + 900, ...patch };
}

beforeAll(async () => {
  await configureTestEnv({ ACCESS_TOKEN_TTL: "15m" });
  r = await loadRoutes();
  // The runtime loads AUTH_SIGNING_KEYS from the environment: the same key set, the same kid.
  keys = await loadKeySet(process.env.AUTH_SIGNING_KEYS!);
  jar = new CookieJar();
  const res = await call(r.register.POST, "/api/auth/register", {
    body: { email: "victim@example.com", password: "password-123" },
    jar,
  });
  expect(res.status).toBe(201);
  realToken = jar.get("__Host-access")!;
  const p = decodePayload(realToken);
  base = {
    sub: p.sub as string,
    sid: p.sid as string,
    ver: p.ver as number,
    role: p.role as string,
    amr: p.amr as string[],
    auth_time: p.auth_time as number,
  };

  keyServer = http.createServer((req, res) => {
    keyServerHits++;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ keys: [] }));
  });
  await new Promise<void>((resolve) => keyServer.listen(0, "127.0.0.1", resolve));
  keyServerUrl = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => keyServer.close(() => resolve())));

async function expectAccepted(token: string) {
  expect((await verifyAccessToken(token, keys, settings, Date.now())).ok).toBe(true);
  const res = await call(r.me.GET, "/api/me", { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(res.json.user.id).toBe(base.sub);
}

/** Refused by verifyAccessToken, /api/me (Bearer and cookie) and /api/auth/session; a clean 401. */
async function expectRefused(token: string, label = "") {
  const verified = await verifyAccessToken(token, keys, settings, Date.now());
  expect(verified.ok, `verifyAccessToken ${label}`).toBe(false);
  const bearer = await call(r.me.GET, "/api/me", { headers: { authorization: `Bearer ${token}` } });
  expect(bearer.status, `/api/me bearer ${label}`).toBe(401);
  expect(bearer.json, label).toEqual({ error: "unauthenticated", message: expect.any(String) });
  expect(bearer.headers.get("cache-control")).toBe("no-store");
  const cookie = await call(r.me.GET, "/api/me", { headers: { cookie: `__Host-access=${token}` } });
  expect(cookie.status, `/api/me cookie ${label}`).toBe(401);
  const session = await call(r.session.GET, "/api/auth/session", { headers: { cookie: `__Host-access=${token}` } });
  expect(session.json, `/api/auth/session ${label}`).toEqual({ status: "unauthenticated" });
  return verified.ok ? "" : verified.error;
}

describe("control", () => {
  it("a token hand-signed with the real key and the user's real claims is accepted (so every refusal below is the named rule's)", async () => {
    await expectAccepted(await signWithRealKey(keys, claims()));
    await expectAccepted(realToken);
  });
});

describe("algorithm attacks", () => {
  it("alg none in every casing, with an empty, junk or copied signature", async () => {
    const realSignature = realToken.split(".")[2];
    for (const alg of ["none", "None", "NONE", "nOnE", "NoNe", "none "]) {
      for (const signature of ["", "AAAA", realSignature]) {
        await expectRefused(
          unsigned(alg, claims(), signature, { kid: keys.signing.kid }),
          `${alg}/${signature.slice(0, 4)}`,
        );
      }
    }
  });

  it("HS256 signed with the server's public key as the HMAC secret (PEM, JWK and raw point)", async () => {
    for (const form of ["pem", "jwk", "raw"] as const) {
      await expectRefused(await hs256WithPublicKey(keys, form, claims()), form);
    }
  });

  it("an algorithm other than the key's own (EdDSA, ES384, RS256, PS256, HS512) under the real kid", async () => {
    const token = await signWithRealKey(keys, claims());
    const [, p, s] = token.split(".");
    for (const alg of ["EdDSA", "ES384", "ES512", "RS256", "PS256", "HS512", "es256"]) {
      await expectRefused(`${b64({ alg, typ: "at+jwt", kid: keys.signing.kid })}.${p}.${s}`, alg);
    }
  });

  it("ES256 all-zero signature r = s = 0 (CVE-2022-21449 'psychic signatures'), and r = s = n", async () => {
    const token = await signWithRealKey(keys, claims());
    await expectRefused(withSignature(token, 0n, 0n), "r=s=0");
    await expectRefused(withSignature(token, P256_ORDER, P256_ORDER), "r=s=n");
    await expectRefused(withSignature(token, 0n, 1n), "r=0");
    // A zero signature of the wrong length (DER-ish or short) is refused too.
    const [h, p] = token.split(".");
    await expectRefused(`${h}.${p}.${Buffer.alloc(72).toString("base64url")}`, "72 zero bytes");
    await expectRefused(`${h}.${p}.AA`, "one zero byte");
  });

  it("a signature by another key under our kid, and a valid signature transplanted from another token", async () => {
    const other = await loadKeySet(await generateKeySetJson("ES256"));
    const impostor = await signWithKey(
      other.signing.key,
      { alg: "ES256", typ: "at+jwt", kid: keys.signing.kid },
      claims(),
    );
    await expectRefused(impostor, "other key");
    const [h, p] = (await signWithRealKey(keys, claims({ role: "admin" }))).split(".");
    await expectRefused(`${h}.${p}.${realToken.split(".")[2]}`, "transplanted signature");
  });
});

describe("key-source headers (no key is ever taken from the token, no network fetch happens)", () => {
  it("embedded jwk: the attacker's own public key in the header, signed with their private key", async () => {
    const attacker = await generateKeyPair("ES256", { extractable: true });
    const jwk = await exportJWK(attacker.publicKey);
    await expectRefused(
      await signWithKey(attacker.privateKey, { alg: "ES256", typ: "at+jwt", jwk }, claims()),
      "jwk, no kid",
    );
    await expectRefused(
      await signWithKey(attacker.privateKey, { alg: "ES256", typ: "at+jwt", kid: keys.signing.kid, jwk }, claims()),
      "jwk + real kid",
    );
    // Even the server's own public key embedded in a genuinely signed token is refused: the header itself is.
    const ownJwk = keys.publicJwks.keys[0];
    const reason = await expectRefused(await signWithRealKey(keys, claims(), { jwk: ownJwk }), "own jwk");
    expect(reason).not.toBe("ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
  });

  it("jku, x5u and x5c pointing at an attacker's server: refused and the server is never contacted", async () => {
    const attacker = await generateKeyPair("ES256", { extractable: true });
    keyServerHits = 0;
    for (const header of [
      { jku: `${keyServerUrl}/jwks.json` },
      { x5u: `${keyServerUrl}/cert.pem` },
      { x5c: ["MIIBszCCAVmgAwIBAgIUAAAA"] },
      { jku: `${keyServerUrl}/jwks.json`, kid: "attacker" },
    ]) {
      await expectRefused(
        await signWithKey(
          attacker.privateKey,
          { alg: "ES256", typ: "at+jwt", kid: keys.signing.kid, ...header },
          claims(),
        ),
        JSON.stringify(header),
      );
      await expectRefused(await signWithRealKey(keys, claims(), header), `real key + ${JSON.stringify(header)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(keyServerHits).toBe(0);
  });
});

describe("kid injection", () => {
  it("path traversal, SQL, null byte, non-string and very long kids are refused with a 401, never a 5xx", async () => {
    for (const kid of [
      "../../../../etc/passwd",
      "/dev/null",
      "' OR 1=1 --",
      '" OR ""="',
      "x'; DROP TABLE users; --",
      `${keys.signing.kid}\u0000`,
      `${keys.signing.kid} `,
      "__proto__",
      "constructor",
      "k".repeat(1000),
      42,
      [keys.signing.kid],
      { $ne: null },
    ]) {
      await expectRefused(await signWithRealKey(keys, claims(), { kid: kid as string }), String(kid).slice(0, 30));
    }
  });

  it("a 10 KB kid is refused before any parsing (length cap)", async () => {
    const token = await signWithRealKey(keys, claims(), { kid: "k".repeat(10 * 1024) });
    expect(await expectRefused(token, "10 KB kid")).toBe("token_too_long");
  });
});

describe("header rules", () => {
  it("unknown crit, empty crit, and crit b64:false (unencoded payload)", async () => {
    await expectRefused(
      await signWithRealKey(keys, claims(), { crit: ["x-unknown"], "x-unknown": 1 }),
      "crit x-unknown",
    );
    await expectRefused(await signWithRealKey(keys, claims(), { crit: [] }), "crit []");
    await expectRefused(await signWithRealKey(keys, claims(), { crit: ["exp"] }), "crit exp");
    await expectRefused(await signWithRealKey(keys, claims(), { crit: ["b64"], b64: false }), "b64 false");
  });

  it("typ confusion: missing typ, JWT, refresh+jwt, id_token-ish, JOSE", async () => {
    for (const typ of [undefined, "JWT", "jwt", "refresh+jwt", "id+jwt", "JOSE", "at+jwt+x", ""]) {
      await expectRefused(await signWithRealKey(keys, claims(), { typ }), String(typ));
    }
  });
});

describe("claim rules", () => {
  it("exp: missing, string, null, fractional, in the past", async () => {
    const now = nowS();
    for (const exp of [undefined, String(now + 900), null, now + 899.5, now - 60]) {
      await expectRefused(await signWithRealKey(keys, { ...claims(), exp }), `exp=${String(exp)}`);
    }
  });

  it("exp far in the future (lifetime longer than ACCESS_TOKEN_TTL)", async () => {
    const reason = await expectRefused(await signWithRealKey(keys, claims({ exp: nowS() + 365 * 86400 })), "exp +1y");
    expect(reason).toBe("lifetime_too_long");
  });

  it("nbf in the future, iat in the future (slightly beyond tolerance and far), iat missing or older than the TTL", async () => {
    const now = nowS();
    await expectRefused(await signWithRealKey(keys, claims({ nbf: now + 600 })), "nbf +10m");
    await expectRefused(await signWithRealKey(keys, claims({ iat: now + 60, exp: now + 960 })), "iat +60s");
    await expectRefused(
      await signWithRealKey(keys, claims({ iat: now + 10 * 365 * 86400, exp: now + 10 * 365 * 86400 + 900 })),
      "iat +10y",
    );
    await expectRefused(await signWithRealKey(keys, { ...claims(), iat: undefined }), "no iat");
    await expectRefused(await signWithRealKey(keys, claims({ iat: now - 3600, exp: now + 60 })), "iat -1h");
  });

  it("wrong, missing or array-smuggled iss and aud", async () => {
    await expectRefused(await signWithRealKey(keys, claims({ iss: "https://evil.example" })), "iss");
    await expectRefused(await signWithRealKey(keys, { ...claims(), iss: undefined }), "no iss");
    await expectRefused(await signWithRealKey(keys, claims({ iss: [APP] })), "iss array");
    await expectRefused(await signWithRealKey(keys, claims({ aud: "https://other-service.example" })), "aud");
    await expectRefused(await signWithRealKey(keys, claims({ aud: ["https://other-service.example"] })), "aud array");
    await expectRefused(await signWithRealKey(keys, { ...claims(), aud: undefined }), "no aud");
    await expectRefused(await signWithRealKey(keys, claims({ iss: `${APP}/` })), "iss trailing slash");
  });

  it("an aud array that contains our audience is refused (we only ever issue a single string)", async () => {
    await expectRefused(
      await signWithRealKey(keys, claims({ aud: [APP, "https://other-service.example"] })),
      "aud [ours, other]",
    );
    await expectRefused(
      await signWithRealKey(keys, claims({ aud: ["https://other-service.example", APP] })),
      "aud [other, ours]",
    );
    await expectRefused(await signWithRealKey(keys, claims({ aud: [APP] })), "aud [ours]");
  });

  it("missing or mistyped sub, sid, jti, ver, role; unknown role; stale token version", async () => {
    for (const patch of [
      { sub: undefined },
      { sid: undefined },
      { jti: undefined },
      { ver: undefined },
      { role: undefined },
      { ver: "0" },
      { ver: -1 },
      { role: "superuser" },
      { sub: 42 },
      { jti: "" },
    ]) {
      await expectRefused(await signWithRealKey(keys, { ...claims(), ...patch }), JSON.stringify(patch));
    }
  });

  it("a stale token version passes the signature check but not the full check (/api/me 401)", async () => {
    const token = await signWithRealKey(keys, claims({ ver: base.ver + 1 }));
    expect((await verifyAccessToken(token, keys, settings, Date.now())).ok).toBe(true);
    expect((await call(r.me.GET, "/api/me", { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it("a tampered payload under a valid signature (role escalation, another user's sub)", async () => {
    const token = await signWithRealKey(keys, claims());
    await expectRefused(tamperPayload(token, claims({ role: "admin" })), "role admin");
    await expectRefused(tamperPayload(token, claims({ sub: "someone-else" })), "sub");
  });
});

describe("duplicate JSON member names (the last one would silently win)", () => {
  const header = () => `{"alg":"ES256","typ":"at+jwt","kid":${JSON.stringify(keys.signing.kid)}}`;
  const payloadWith = (extra: string) => {
    const json = JSON.stringify(claims());
    return `${json.slice(0, -1)},${extra}}`;
  };

  it("(control) the same raw-JSON signing path with no duplicates is accepted", async () => {
    await expectAccepted(await signJsonTexts(keys, header(), JSON.stringify(claims())));
  });

  it("duplicate sub, role and exp in the payload", async () => {
    for (const extra of [
      `"sub":"someone-else"`,
      `"role":"admin"`,
      `"exp":${nowS() + 60}`,
      `"sub":${JSON.stringify(base.sub)}`,
    ]) {
      await expectRefused(await signJsonTexts(keys, header(), payloadWith(extra)), extra);
    }
  });

  it("a duplicate spelled with a unicode escape (\\u0073ub), and with whitespace before the colon", async () => {
    await expectRefused(await signJsonTexts(keys, header(), payloadWith(`"\\u0073ub":"someone-else"`)), "escaped");
    await expectRefused(await signJsonTexts(keys, header(), payloadWith(`"role"  :  "admin"`)), "spaced");
  });

  it("duplicate alg, typ or kid in the header", async () => {
    const kid = JSON.stringify(keys.signing.kid);
    for (const h of [
      `{"alg":"none","alg":"ES256","typ":"at+jwt","kid":${kid}}`,
      `{"alg":"ES256","typ":"JWT","typ":"at+jwt","kid":${kid}}`,
      `{"alg":"ES256","typ":"at+jwt","kid":"other","kid":${kid}}`,
    ]) {
      await expectRefused(await signJsonTexts(keys, h, JSON.stringify(claims())), h);
    }
  });

  it("a string value that merely looks like a member name is not a duplicate", async () => {
    await expectAccepted(
      await signJsonTexts(keys, header(), JSON.stringify(claims({ jti: `"sub": "x" \\" "role":` }))),
    );
  });
});

describe("shape and size (checked before any parsing)", () => {
  it("an 8 KB token (padded claims) is refused as too long, before base64 or JSON decoding", async () => {
    const token = await signWithRealKey(keys, claims({ pad: "x".repeat(8 * 1024) }));
    expect(token.length).toBeGreaterThan(MAX_ACCESS_TOKEN_LENGTH);
    expect(await expectRefused(token, "8 KB")).toBe("token_too_long");
  });

  it("extra segments (4 and 5 parts, JWE-shaped), empty segments, padding and foreign characters", async () => {
    const token = await signWithRealKey(keys, claims());
    const [h, p, s] = token.split(".");
    for (const bad of [
      `${token}.${s}`,
      `${h}.${p}.${s}.${s}.${s}`,
      `${h}.${b64({ enc: "A256GCM" })}.${p}.${s}.${s}`,
      `${h}.${p}.`,
      `${h}..${s}`,
      `.${p}.${s}`,
      `${h}.${p}`,
      `${token}=`,
      `${h}.${p}.${s}==`,
      `${h}.${p}+/.${s}`,
      ` ${token}`,
      "",
      ".",
      "..",
    ]) {
      expect((await verifyAccessToken(bad, keys, settings, Date.now())).ok, bad.slice(-12)).toBe(false);
      const res = await call(r.me.GET, "/api/me", { headers: { authorization: `Bearer ${bad}` } });
      expect(res.status, bad.slice(-12)).toBe(401);
    }
    // (Trailing whitespace in a header value is trimmed by HTTP itself; the function refuses it.)
    expect((await verifyAccessToken(`${token}\t`, keys, settings, Date.now())).ok).toBe(false);
  });

  it("a header or payload that is not a JSON object (array, string, invalid UTF-8) is refused", async () => {
    const kid = JSON.stringify(keys.signing.kid);
    const good = `{"alg":"ES256","typ":"at+jwt","kid":${kid}}`;
    await expectRefused(await signJsonTexts(keys, good, "[1,2]"), "array payload");
    await expectRefused(await signJsonTexts(keys, good, '"a string"'), "string payload");
    await expectRefused(await signJsonTexts(keys, good, "{not json"), "broken payload");
    const invalidUtf8 = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]).toString("base64url");
    await expectRefused(await (await import("./forge")).signRaw(keys, b64(good), invalidUtf8), "invalid UTF-8");
  });
});

describe("typ confusion across token kinds", () => {
  it("the refresh token presented as a Bearer access token is refused", async () => {
    const res = await call(r.me.GET, "/api/me", {
      headers: { authorization: `Bearer ${jar.get("__Secure-refresh")}` },
    });
    expect(res.status).toBe(401);
    const cookie = await call(r.me.GET, "/api/me", {
      headers: { cookie: `__Host-access=${jar.get("__Secure-refresh")}` },
    });
    expect(cookie.status).toBe(401);
  });

  it("the access token presented as the refresh cookie is refused, nothing rotates and the session survives", async () => {
    const victim = new CookieJar();
    await call(r.login.POST, "/api/auth/login", {
      body: { email: "victim@example.com", password: "password-123" },
      jar: victim,
    });
    const access = victim.get("__Host-access")!;
    const refreshBefore = victim.get("__Secure-refresh")!;
    const res = await call(r.refresh.POST, "/api/auth/refresh", {
      method: "POST",
      headers: { cookie: `__Secure-refresh=${access}` },
    });
    expect(res.status).toBe(401);
    expect(res.setCookies.filter((c) => c.value !== "")).toEqual([]);
    // The real refresh token still rotates normally: nothing was revoked.
    const ok = await call(r.refresh.POST, "/api/auth/refresh", { method: "POST", jar: victim });
    expect(ok.status).toBe(200);
    expect(victim.get("__Secure-refresh")).not.toBe(refreshBefore);
  });
});

describe("revocation is keyed by jti, never by token bytes (ECDSA malleability)", () => {
  it("(lib) after logout the high-S twin of the revoked access token is refused as token_revoked", async () => {
    const { auth } = await makeAuth();
    await auth.register({ email: "twin@example.com", password: "password-123" }, META);
    const session = await auth.login({ email: "twin@example.com", password: "password-123" }, META);
    if (!("access" in session)) throw new Error("login failed");
    const token = session.access.token;
    const twin = highSTwin(token);
    expect(twin).not.toBe(token);
    // The twin is a genuinely valid signature: without revocation it would be accepted.
    expect((await auth.authenticate(twin)).ok).toBe(true);
    await auth.logout({ access: token, refresh: session.refresh.token }, META);
    expect(await auth.authenticate(token)).toEqual({ ok: false, error: "token_revoked" });
    // Deny-listing by token hash would let the twin through to the family check ("session_revoked").
    expect(await auth.authenticate(twin)).toEqual({ ok: false, error: "token_revoked" });
  });

  it("(HTTP) after logout, /api/me refuses both the revoked access token and its high-S twin", async () => {
    const user = new CookieJar();
    await call(r.login.POST, "/api/auth/login", {
      body: { email: "victim@example.com", password: "password-123" },
      jar: user,
    });
    const token = user.get("__Host-access")!;
    const twin = highSTwin(token);
    expect((await call(r.me.GET, "/api/me", { headers: { authorization: `Bearer ${twin}` } })).status).toBe(200);
    expect((await call(r.logout.POST, "/api/auth/logout", { method: "POST", jar: user })).status).toBe(200);
    for (const t of [token, twin]) {
      expect((await call(r.me.GET, "/api/me", { headers: { authorization: `Bearer ${t}` } })).status).toBe(401);
    }
  });
});

describe("malformed Authorization headers", () => {
  it("other schemes, empty bearer, two tokens, a token with spaces: 401, never 5xx", async () => {
    for (const authorization of [
      `Basic ${Buffer.from("a:b").toString("base64")}`,
      "Bearer",
      "Bearer ",
      `Bearer ${realToken} ${realToken}`,
      `Bearer  ${realToken}x`,
      `Token ${realToken.slice(0, -2)}`,
      `Bearer ${"A".repeat(20_000)}`,
    ]) {
      const res = await call(r.me.GET, "/api/me", { headers: { authorization } });
      expect(res.status, authorization.slice(0, 20)).toBe(401);
      expect(res.json.error).toBe("unauthenticated");
    }
  });
});
