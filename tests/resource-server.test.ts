/**
 * The example resource server (examples/resource-server): a separate service that verifies the
 * auth server's access tokens through the JWKS alone. It runs in-process on a free port against a
 * JWKS served by a tiny http server this test controls (so keys can be added and retired), and is
 * fed tokens signed by lib/auth/access-token.ts, each forged to break exactly one rule.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, calculateJwkThumbprint } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signAccessToken } from "@/lib/auth/access-token";
import { generateKeySetJson, loadKeySet, type KeySet, type PublicJwk } from "@/lib/auth/keys";
import { createDpopProof, generateDpopKey, type DpopKey } from "@/lib/native/dpop-proof";
import { ReplayCache, startResourceServer } from "@/examples/resource-server/resource-server";
import { hs256WithPublicKey, signWithRealKey, unsigned, validClaims } from "./forge";
import { AUDIENCE, ISSUER } from "./helpers";

const SETTINGS = { issuer: ISSUER, audience: AUDIENCE, accessTokenTtl: 900 };

/** The auth server's JWKS endpoint, as far as the resource server can tell. */
async function startJwks() {
  let keys: PublicJwk[] = [];
  let hits = 0;
  let failing = false;
  const server = http.createServer((_req, res) => {
    hits++;
    if (failing) {
      res.writeHead(500).end();
      return;
    }
    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/.well-known/jwks.json`),
    publish: (...sets: KeySet[]) => void (keys = sets.flatMap((s) => s.publicJwks.keys)),
    fail: (on: boolean) => void (failing = on),
    hits: () => hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type Started = Awaited<ReturnType<typeof startResourceServer>>;

/** GET /api/protected over node:http (which, unlike fetch, can send any Host and repeated headers). */
function get(rs: Started, headers: Record<string, string | string[]> = {}) {
  return new Promise<{ status: number; json: Record<string, unknown>; headers: http.IncomingHttpHeaders }>(
    (resolve, reject) => {
      const req = http.request(
        { host: "127.0.0.1", port: rs.port, path: "/api/protected", method: "GET", headers },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (body += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(body), headers: res.headers }));
        },
      );
      req.on("error", reject);
      req.end();
    },
  );
}

const bearer = (rs: Started, token: string) => get(rs, { authorization: `Bearer ${token}` });

async function sign(keys: KeySet, extra: { jkt?: string; now?: number; settings?: Partial<typeof SETTINGS> } = {}) {
  const { token } = await signAccessToken(
    { userId: "user-1", familyId: "family-1", tokenVersion: 0, role: "user", dpopJkt: extra.jkt ?? null },
    keys,
    { ...SETTINGS, ...extra.settings },
    extra.now ?? Date.now(),
    crypto.randomUUID(),
  );
  return token;
}

/** A key set whose only key is a fresh one of `alg`, under the kid of `as` when given. */
async function freshKeys(alg: "ES256" | "EdDSA" = "ES256", as?: KeySet) {
  const json = JSON.parse(await generateKeySetJson(alg));
  if (as) json.keys[0].kid = as.signing.kid;
  return loadKeySet(JSON.stringify(json));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let jwks: Awaited<ReturnType<typeof startJwks>>;
let rs: Started;
let keyA: KeySet;
/** Why the service refused each request (its log line's reason code). */
const reasons: string[] = [];

/** A 401 for exactly this reason (so the rule under test refused it, not another one). */
async function expectRefused(res: Promise<{ status: number; json: Record<string, unknown> }>, reason: string | RegExp) {
  const { status } = await res;
  expect(status, String(reason)).toBe(401);
  if (typeof reason === "string") expect(reasons.at(-1)).toBe(reason);
  else expect(reasons.at(-1)).toMatch(reason);
}

beforeAll(async () => {
  jwks = await startJwks();
  keyA = await freshKeys("ES256");
  jwks.publish(keyA);
  // The defaults of npm run example:resource-server: 5 s cooldown, 10 min cache.
  rs = await startResourceServer({
    port: 0,
    host: "127.0.0.1",
    jwksUrl: jwks.url,
    issuer: ISSUER,
    audience: AUDIENCE,
    maxTokenAge: 900,
    jwksCooldownMs: 5_000,
    jwksCacheMaxAgeMs: 10 * 60_000,
    log: (entry) => reasons.push(String(entry.reason)),
  });
});

afterAll(async () => {
  await rs?.close();
  await jwks?.close();
});

describe("access tokens at the resource server", () => {
  it("(control) a token signed by a published key: 200 { sub, role }, no-store", async () => {
    const res = await bearer(rs, await sign(keyA));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ sub: "user-1", role: "user" });
    expect(res.headers["cache-control"]).toBe("no-store");
  });

  it("no token: 401 JSON with both challenges; a malformed Authorization: 401 invalid_request", async () => {
    const none = await get(rs);
    expect(none.status).toBe(401);
    expect(none.json).toEqual({ error: "unauthenticated", message: expect.any(String) });
    expect(none.headers["www-authenticate"]).toMatch(/^Bearer realm="resource-server", DPoP algs="/);
    for (const authorization of ["Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", "Token abc.def.ghi"]) {
      const res = await get(rs, { authorization });
      expect(res.status, authorization).toBe(401);
      expect(res.json.error).toBe("invalid_request");
    }
  });

  it("forged signature: the published kid, another key", async () => {
    const forger = await freshKeys("ES256", keyA);
    const res = await bearer(rs, await sign(forger));
    expect(reasons.at(-1)).toBe("ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ error: "invalid_token", message: "The access token is not valid." });
    expect(res.headers["www-authenticate"]).toBe('Bearer realm="resource-server", error="invalid_token"');
  });

  it("expired (and an iat older than the longest token life)", async () => {
    const expired = await bearer(rs, await sign(keyA, { now: Date.now() - 16 * 60_000 }));
    expect(expired.status).toBe(401);
    expect(expired.json.message).toBe("The access token has expired.");
    const iat = Math.floor(Date.now() / 1000) - 1000;
    // Not expired, but issued longer ago than any token of ours lives (jose's maxTokenAge).
    await expectRefused(
      bearer(rs, await signWithRealKey(keyA, { ...validClaims(iat), exp: iat + 900 + 200 })),
      "expired",
    );
  });

  it("a token that claims a longer life than ACCESS_TOKEN_TTL", async () => {
    const iat = Math.floor(Date.now() / 1000);
    await expectRefused(
      bearer(rs, await signWithRealKey(keyA, { ...validClaims(iat), exp: iat + 3600 })),
      "lifetime_too_long",
    );
  });

  it("wrong audience, wrong issuer, and an aud array that contains ours", async () => {
    await expectRefused(
      bearer(rs, await sign(keyA, { settings: { audience: "https://other.example" } })),
      "ERR_JWT_CLAIM_VALIDATION_FAILED",
    );
    await expectRefused(
      bearer(rs, await sign(keyA, { settings: { issuer: "https://evil.example" } })),
      "ERR_JWT_CLAIM_VALIDATION_FAILED",
    );
    // jose alone would accept these two: the array contains our audience.
    const smuggled = await signWithRealKey(keyA, { ...validClaims(), aud: [AUDIENCE, "https://other.example"] });
    await expectRefused(bearer(rs, smuggled), "audience_not_exact");
    await expectRefused(
      bearer(rs, await signWithRealKey(keyA, { ...validClaims(), aud: [AUDIENCE] })),
      "audience_not_exact",
    );
  });

  it("alg none (any casing) and HS256 keyed with the public key: refused before any key lookup", async () => {
    const before = jwks.hits();
    for (const alg of ["none", "None", "NONE"]) {
      await expectRefused(bearer(rs, unsigned(alg, validClaims(), "", { kid: keyA.signing.kid })), "malformed_token");
      await expectRefused(
        bearer(rs, unsigned(alg, validClaims(), "AAAA", { kid: keyA.signing.kid })),
        "ERR_JOSE_ALG_NOT_ALLOWED",
      );
    }
    for (const form of ["pem", "jwk", "raw"] as const) {
      await expectRefused(bearer(rs, await hs256WithPublicKey(keyA, form)), "ERR_JOSE_ALG_NOT_ALLOWED");
    }
    expect(jwks.hits()).toBe(before);
  });

  it("typ must be at+jwt: JWT, none, and a DPoP proof's typ are refused", async () => {
    for (const typ of ["JWT", undefined, "dpop+jwt"]) {
      await expectRefused(
        bearer(rs, await signWithRealKey(keyA, validClaims(), { typ })),
        "ERR_JWT_CLAIM_VALIDATION_FAILED",
      );
    }
  });

  it("required claims: no exp, no iat, no sub, no jti, no role", async () => {
    for (const claim of ["exp", "iat", "sub", "jti"]) {
      await expectRefused(
        bearer(rs, await signWithRealKey(keyA, { ...validClaims(), [claim]: undefined })),
        "ERR_JWT_CLAIM_VALIDATION_FAILED",
      );
    }
    await expectRefused(bearer(rs, await signWithRealKey(keyA, { ...validClaims(), role: undefined })), "bad_claims");
    await expectRefused(
      bearer(rs, await signWithRealKey(keyA, { ...validClaims(), cnf: { jkt: "short" } })),
      "bad_cnf",
    );
  });

  it("unknown kid, no kid, and key-source headers: refused; a flood of unknown kids costs at most one JWKS fetch per cooldown", async () => {
    await bearer(rs, await sign(keyA)); // the set is fetched (or still fresh)
    const before = jwks.hits();
    for (let i = 0; i < 20; i++) {
      await expectRefused(
        bearer(rs, await signWithRealKey(keyA, validClaims(), { kid: `unknown-${i}` })),
        "key_refused:ERR_JWKS_NO_MATCHING_KEY",
      );
    }
    expect(jwks.hits() - before).toBeLessThanOrEqual(1);
    await expectRefused(
      bearer(rs, await signWithRealKey(keyA, validClaims(), { kid: undefined })),
      "key_refused:no kid",
    );
    await expectRefused(
      bearer(rs, await signWithRealKey(keyA, validClaims(), { jwk: keyA.publicJwks.keys[0] })),
      "key_refused:jwk header",
    );
    await expectRefused(
      bearer(rs, await signWithRealKey(keyA, validClaims(), { jku: jwks.url.href })),
      "key_refused:jku header",
    );
  });

  it("JWKS unreachable on a fetch: 503, not a 401 (the client did nothing wrong)", async () => {
    const jwksDown = await startJwks();
    jwksDown.fail(true);
    const other = await startResourceServer({
      port: 0,
      host: "127.0.0.1",
      jwksUrl: jwksDown.url,
      issuer: ISSUER,
      audience: AUDIENCE,
      maxTokenAge: 900,
      jwksCooldownMs: 5_000,
      jwksCacheMaxAgeMs: 60_000,
    });
    try {
      const res = await bearer(other, await sign(keyA));
      expect(res.status).toBe(503);
      expect(res.json.error).toBe("temporarily_unavailable");
    } finally {
      await other.close();
      await jwksDown.close();
    }
  });
});

describe("DPoP-bound tokens at the resource server", () => {
  let key: DpopKey;
  let token: string;
  const url = () => `${rs.url}/api/protected`;
  const proofFor = (k: DpopKey, accessToken: string, extra: { method?: string; url?: string; now?: number } = {}) =>
    createDpopProof(k, { method: extra.method ?? "GET", url: extra.url ?? url(), accessToken, now: extra.now });
  const dpop = async (accessToken: string, proof: string | string[]) =>
    get(rs, { authorization: `DPoP ${accessToken}`, dpop: proof });

  beforeAll(async () => {
    key = await generateDpopKey();
    token = await sign(keyA, { jkt: await calculateJwkThumbprint(key.publicJwk, "sha256") });
  });

  it("(control) Authorization: DPoP with a fresh proof from the bound key: 200", async () => {
    const res = await dpop(token, await proofFor(key, token));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ sub: "user-1", role: "user" });
  });

  it("a bound token as Bearer is refused, with a DPoP challenge", async () => {
    const res = await bearer(rs, token);
    expect(res.status).toBe(401);
    expect(reasons.at(-1)).toBe("bound_token_as_bearer");
    expect(res.json.error).toBe("invalid_token");
    expect(res.headers["www-authenticate"]).toMatch(/^DPoP error="invalid_token", algs="ES256 /);
  });

  it("a bound token with another key's proof (the thief's), or with no proof", async () => {
    const thief = await generateDpopKey();
    const stolen = await dpop(token, await proofFor(thief, token));
    expect(stolen.status).toBe(401);
    expect(reasons.at(-1)).toBe("dpop_key_mismatch");
    expect(stolen.json.error).toBe("invalid_dpop_proof");
    expect(stolen.headers["www-authenticate"]).toMatch(/^DPoP error="invalid_dpop_proof"/);
    const missing = await get(rs, { authorization: `DPoP ${token}` });
    expect(missing.status).toBe(401);
    expect(missing.json.error).toBe("invalid_dpop_proof");
  });

  it("a replayed proof: accepted once, refused the second time", async () => {
    const proof = await proofFor(key, token);
    expect((await dpop(token, proof)).status).toBe(200);
    const replay = await dpop(token, proof);
    expect(replay.status).toBe(401);
    expect(reasons.at(-1)).toBe("dpop_replayed");
    expect(replay.json.error).toBe("invalid_dpop_proof");
  });

  it("a proof for another request: the auth server's URL, another method, another token's ath, stale, two proofs", async () => {
    const refused: [string, string][] = [
      [await proofFor(key, token, { url: "http://localhost:3000/api/me" }), "dpop_htu_mismatch"],
      [await proofFor(key, token, { url: "http://evil.example/api/protected" }), "dpop_htu_mismatch"],
      [await proofFor(key, token, { method: "POST" }), "dpop_htm_mismatch"],
      [
        await proofFor(key, await sign(keyA, { jkt: await calculateJwkThumbprint(key.publicJwk, "sha256") })),
        "dpop_ath_mismatch",
      ],
      [await proofFor(key, token, { now: Date.now() - 2 * 60_000 }), "dpop_stale"],
      [
        await new SignJWT({ htm: "GET", htu: url(), jti: crypto.randomUUID(), iat: Math.floor(Date.now() / 1000) })
          .setProtectedHeader({ typ: "dpop+jwt", alg: "ES256", jwk: key.publicJwk })
          .sign(key.privateKey),
        "dpop_ath_mismatch", // no ath at all
      ],
    ];
    for (const [proof, reason] of refused) {
      const res = await dpop(token, proof);
      expect(res.status, reason).toBe(401);
      expect(res.json.error, reason).toBe("invalid_dpop_proof");
      expect(reasons.at(-1)).toBe(reason);
    }
    await expectRefused(dpop(token, [await proofFor(key, token), await proofFor(key, token)]), "dpop_missing");
  });

  it("htu is checked against PUBLIC_URL, never the Host header", async () => {
    const proof = await proofFor(key, token, { url: "http://evil.example/api/protected" });
    await expectRefused(
      get(rs, { authorization: `DPoP ${token}`, dpop: proof, host: "evil.example" }),
      "dpop_htu_mismatch",
    );
  });

  it("an unbound token under the DPoP scheme is refused (the binding is exact)", async () => {
    const unbound = await sign(keyA);
    const res = await dpop(unbound, await proofFor(key, unbound));
    expect(res.status).toBe(401);
    expect(reasons.at(-1)).toBe("unbound_token_as_dpop");
    expect(res.json.error).toBe("invalid_token");
  });

  it("the replay cache forgets a proof only once it is too old to be accepted anyway", () => {
    const cache = new ReplayCache();
    expect(cache.firstUse("a", 2_000, 1_000)).toBe(true);
    expect(cache.firstUse("a", 2_000, 1_999)).toBe(false);
    expect(cache.firstUse("a", 40_000, 2_000)).toBe(true);
    expect(cache.firstUse("b", 20_000, 12_000)).toBe(true);
    expect(cache.firstUse("c", 40_000, 30_000)).toBe(true);
    expect(cache.size).toBe(2); // "b" swept once expired
  });
});

describe("key rotation reaches the resource server through the JWKS, without a restart", () => {
  it("A signs; B is published and verifies after the cooldown; A verifies while published; retired A is refused once the cache is stale", async () => {
    const keyServer = await startJwks();
    const a = await freshKeys("ES256");
    const b = await freshKeys("EdDSA");
    keyServer.publish(a);
    const cooldown = 300;
    const cacheMaxAge = 4_000;
    const service = await startResourceServer({
      port: 0,
      host: "127.0.0.1",
      jwksUrl: keyServer.url,
      issuer: ISSUER,
      audience: AUDIENCE,
      maxTokenAge: 900,
      jwksCooldownMs: cooldown,
      jwksCacheMaxAgeMs: cacheMaxAge,
    });
    try {
      const tokenA = await sign(a);
      expect((await bearer(service, tokenA)).status).toBe(200);

      // Step 1: B is published (last in AUTH_SIGNING_KEYS: verifies, does not sign yet).
      keyServer.publish(a, b);
      // Step 2: B signs. Its unknown kid makes the service fetch the JWKS again, once the cooldown
      // since the last fetch is over; no restart.
      const tokenB = await sign(b);
      await sleep(cooldown + 50);
      const hits = keyServer.hits();
      expect((await bearer(service, tokenB)).status).toBe(200);
      expect(keyServer.hits()).toBe(hits + 1);
      expect((await bearer(service, tokenA)).status).toBe(200);
      expect(keyServer.hits()).toBe(hits + 1);

      // Step 3: A is retired. The service keeps trusting A until its cached set goes stale
      // (cacheMaxAge): by then, with retirement after ACCESS_TOKEN_TTL, no live token is A's.
      keyServer.publish(b);
      expect((await bearer(service, tokenA)).status).toBe(200);
      await expect
        .poll(async () => (await bearer(service, tokenA)).status, { timeout: cacheMaxAge + 4_000, interval: 250 })
        .toBe(401);
      expect((await bearer(service, tokenB)).status).toBe(200);
    } finally {
      await service.close();
      await keyServer.close();
    }
  });
});
