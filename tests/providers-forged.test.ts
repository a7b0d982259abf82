/**
 * Forged answers from an OpenID provider: every check the relying party makes on the code
 * exchange and the ID token, each broken by one forged field. The peer is a stub provider
 * (discovery, JWKS and a token endpoint that answers whatever ID token the test forged), because a
 * real provider never signs a wrong token; the checks themselves are openid-client's, wired by
 * lib/providers. Each case first proves its unforged twin passes, so a refusal is the forgery's.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, exportJWK, generateKeyPair, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProviderClients, ProviderError, type FlowChecks, type ProviderClient } from "@/lib/providers";

const CLIENT = { id: "forged-tests-client", secret: "a-client-secret-for-forged-tests-0123" };
const REDIRECT = "http://localhost:3000/api/auth/oauth/oidc/callback";

type Answer = { idToken?: string; body?: Record<string, unknown>; status?: number };
let answer: Answer = {};
let issuer = "";
let keys: { privateKey: CryptoKey; jwk: JWK };
let stranger: CryptoKey; // a key the provider never published
let advertiseIss = false;
const server = http.createServer((req, res) => {
  const json = (status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  if (req.url === "/.well-known/openid-configuration") {
    return json(200, {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      response_types_supported: ["code"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["ES256"],
      code_challenge_methods_supported: ["S256"],
      ...(advertiseIss ? { authorization_response_iss_parameter_supported: true } : {}),
    });
  }
  if (req.url === "/jwks") return json(200, { keys: [keys.jwk] });
  if (req.url === "/token" && req.method === "POST") {
    req.resume();
    return req.on("end", () =>
      json(
        answer.status ?? 200,
        answer.body ?? { access_token: "opaque", token_type: "Bearer", expires_in: 60, id_token: answer.idToken },
      ),
    );
  }
  json(404, { error: "not_found" });
});

let client: ProviderClient;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const pair = await generateKeyPair("ES256", { extractable: true });
  keys = {
    privateKey: pair.privateKey,
    jwk: { ...(await exportJWK(pair.publicKey)), kid: "op-key", alg: "ES256", use: "sig" },
  };
  stranger = (await generateKeyPair("ES256")).privateKey;
  client = createProviderClients([
    { id: "oidc", name: "Stub", clientId: CLIENT.id, clientSecret: CLIENT.secret, issuer: new URL(issuer) },
  ]).get("oidc")!;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const now = () => Math.floor(Date.now() / 1000);

/** An ID token as the provider would sign it, with `change` forged in. */
async function idToken(checks: FlowChecks, change: { claims?: Record<string, unknown>; stranger?: boolean } = {}) {
  const claims = {
    iss: issuer,
    aud: CLIENT.id,
    sub: "subject-1",
    nonce: checks.nonce,
    iat: now(),
    exp: now() + 300,
    email: "person@example.com",
    email_verified: true,
    ...change.claims,
  };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete (claims as Record<string, unknown>)[k];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", kid: "op-key" })
    .sign(change.stranger ? stranger : keys.privateKey);
}

/** An unsigned token (alg none) carrying otherwise perfect claims. */
function unsigned(checks: FlowChecks) {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const claims = { iss: issuer, aud: CLIENT.id, sub: "subject-1", nonce: checks.nonce, iat: now(), exp: now() + 300 };
  return `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`;
}

/** One attempt: new checks, the callback the browser would bring back, and the provider's answer. */
async function attempt(
  forge: (checks: FlowChecks) => Promise<Answer> | Answer,
  query: (checks: FlowChecks) => string = (c) => `code=a-code&state=${c.state}`,
) {
  const checks = client.newChecks();
  answer = await forge(checks);
  return client.identity(new URL(`${REDIRECT}?${query(checks)}`), checks, REDIRECT);
}

async function refused(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return (error as ProviderError).code;
}

describe("the ID token, forged field by field", () => {
  it("the unforged answer gives the identity (the control every case below departs from)", async () => {
    const identity = await attempt(async (c) => ({ idToken: await idToken(c) }));
    expect(identity).toEqual({
      provider: "oidc",
      providerName: "Stub",
      subject: "subject-1",
      email: "person@example.com",
      emailVerified: true,
      name: null,
    });
  });

  it.each([
    ["another attempt's nonce (a replayed ID token)", { claims: { nonce: "a-nonce-from-another-attempt" } }],
    ["no nonce at all", { claims: { nonce: undefined } }],
    ["another client's audience", { claims: { aud: "someone-elses-client" } }],
    ["another issuer", { claims: { iss: "https://evil.example" } }],
    ["expired", { claims: { exp: now() - 3600, iat: now() - 7200 } }],
    ["no subject", { claims: { sub: undefined } }],
    ["signed by a key the provider never published (same kid)", { stranger: true }],
  ])("%s: refused", async (_name, change: Parameters<typeof idToken>[1]) => {
    expect(await refused(attempt(async (c) => ({ idToken: await idToken(c, change) })))).toBe("invalid_response");
  });

  it("alg none (an unsigned token with perfect claims): refused", async () => {
    expect(await refused(attempt((c) => ({ idToken: unsigned(c) })))).toBe("invalid_response");
  });

  it("a token signed with the client secret (HS256, the algorithm-confusion trick): refused", async () => {
    const hs256 = (c: FlowChecks) =>
      new SignJWT({ iss: issuer, aud: CLIENT.id, sub: "subject-1", nonce: c.nonce, iat: now(), exp: now() + 300 })
        .setProtectedHeader({ alg: "HS256" })
        .sign(new TextEncoder().encode(CLIENT.secret));
    expect(await refused(attempt(async (c) => ({ idToken: await hs256(c) })))).toBe("invalid_response");
  });

  it("no ID token at all in the token answer: refused", async () => {
    expect(await refused(attempt(() => ({ body: { access_token: "opaque", token_type: "Bearer" } })))).toBe(
      "invalid_response",
    );
  });

  it('a string "true" or a missing email_verified is not a verified address', async () => {
    const stringTrue = await attempt(async (c) => ({
      idToken: await idToken(c, { claims: { email_verified: "true" } }),
    }));
    expect(stringTrue.emailVerified).toBe(false);
    const missing = await attempt(async (c) => ({
      idToken: await idToken(c, { claims: { email_verified: undefined } }),
    }));
    expect(missing.emailVerified).toBe(false);
  });
});

describe("the callback, forged", () => {
  it("a state from another attempt: refused before any code is exchanged", async () => {
    expect(
      await refused(
        attempt(
          async (c) => ({ idToken: await idToken(c) }),
          () => "code=a-code&state=forged-state",
        ),
      ),
    ).toBe("invalid_response");
  });

  it("the provider's error answer at the token endpoint (a used or wrong code): refused", async () => {
    expect(await refused(attempt(() => ({ status: 400, body: { error: "invalid_grant" } })))).toBe("invalid_response");
  });

  it("mix-up (RFC 9207): a provider that sends `iss` must send its own", async () => {
    advertiseIss = true;
    const fresh = createProviderClients([
      { id: "oidc", name: "Stub", clientId: CLIENT.id, clientSecret: CLIENT.secret, issuer: new URL(issuer) },
    ]).get("oidc")!;
    try {
      const run = (iss: string) => {
        const checks = fresh.newChecks();
        return idToken(checks).then((token) => {
          answer = { idToken: token };
          return fresh.identity(
            new URL(`${REDIRECT}?code=a-code&state=${checks.state}&iss=${encodeURIComponent(iss)}`),
            checks,
            REDIRECT,
          );
        });
      };
      expect((await run(issuer)).subject).toBe("subject-1");
      expect(await refused(run("https://attacker.example"))).toBe("invalid_response");
    } finally {
      advertiseIss = false;
    }
  });

  it("access_denied from the provider is the person's choice, not an error", async () => {
    expect(
      await refused(
        attempt(
          () => ({}),
          (c) => `error=access_denied&state=${c.state}`,
        ),
      ),
    ).toBe("access_denied");
  });
});
