/**
 * A real OpenID provider for the tests (oidc-provider, by the author of openid-client and jose),
 * on 127.0.0.1: discovery, JWKS, the authorization code flow with PKCE, ID tokens, RFC 9207's
 * `iss` parameter. Its sign-in page lists test accounts as buttons (a browser clicks one; the
 * vitest "browser" posts the same form), one whose email is verified and one whose is not, and a
 * "Cancel" that answers access_denied.
 *
 * Usage: `const op = await startOpenIdProvider({ redirectUris })`; `op.issuer`; `await op.close()`.
 * As a program (Playwright's web server): `tsx tests/providers/openid-provider.ts <port> <redirect_uri>…`.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { generateKeyPairSync } from "node:crypto";
import Provider, { type KoaContextWithOIDC } from "oidc-provider";

export const OIDC_CLIENT = { id: "auth-starter-tests", secret: "a-test-client-secret-that-is-long-enough" };

/** The test accounts: one verified address, one not (the takeover cases need it). */
const OIDC_ACCOUNTS: Record<string, { email: string; email_verified: boolean; name: string }> = {
  "oidc-ada": { email: "ada@oidc.example", email_verified: true, name: "Ada OIDC" },
  "oidc-eve": { email: "eve@oidc.example", email_verified: false, name: "Eve Unverified" },
};

/** Sets an account's claims (tests that need an address of their choosing). */
export function setOidcAccount(id: string, claims: { email: string; email_verified: boolean; name: string }) {
  OIDC_ACCOUNTS[id] = claims;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startOpenIdProvider(options: { port?: number; redirectUris: string[] }) {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: OIDC_CLIENT.id,
        client_secret: OIDC_CLIENT.secret,
        redirect_uris: options.redirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
        id_token_signed_response_alg: "ES256",
      },
    ],
    jwks: {
      keys: [{ ...privateKey.export({ format: "jwk" }), kid: "test-op-key", alg: "ES256", use: "sig" }] as never,
    },
    pkce: { required: () => true },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    scopes: ["openid", "email", "profile"],
    findAccount: async (_ctx: KoaContextWithOIDC, id: string) =>
      OIDC_ACCOUNTS[id] ? { accountId: id, claims: async () => ({ sub: id, ...OIDC_ACCOUNTS[id] }) } : undefined,
    interactions: {
      url: (_ctx: KoaContextWithOIDC, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    },
    features: { devInteractions: { enabled: false } },
    cookies: { keys: ["test-op-cookie-key-0123456789abcdef"] },
    // Claims in the ID token itself (no userinfo call needed).
    conformIdTokenClaims: false,
    // Lifetimes stated, as a real deployment would (and so the provider does not warn about defaults).
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
  });
  provider.proxy = false;

  /** The sign-in page and its answers; anything else is the provider's own. */
  async function interactions(req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> {
    const match = /^\/interaction\/([^/?]+)(\/login|\/abort)?/.exec(req.url ?? "");
    if (!match) return false;
    if (req.method === "GET" && !match[2]) {
      const details = await provider.interactionDetails(req, res);
      const buttons = Object.entries(OIDC_ACCOUNTS)
        .map(
          ([id, a]) =>
            `<button name="account" value="${escape(id)}">Sign in as ${escape(a.name)} (${escape(a.email)}${a.email_verified ? "" : ", unverified"})</button>`,
        )
        .join("");
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      res.end(
        `<!doctype html><html lang="en"><head><title>Test OpenID provider</title></head><body><h1>Test OpenID provider</h1>` +
          `<form method="post" action="/interaction/${escape(details.uid)}/login">${buttons}</form>` +
          `<form method="post" action="/interaction/${escape(details.uid)}/abort"><button>Cancel</button></form></body></html>`,
      );
      return true;
    }
    const body = await new Promise<string>((resolve) => {
      let data = "";
      req.on("data", (chunk) => (data += chunk));
      req.on("end", () => resolve(data));
    });
    if (match[2] === "/abort") {
      await provider.interactionFinished(
        req,
        res,
        { error: "access_denied", error_description: "The person cancelled." },
        { mergeWithLastSubmission: false },
      );
      return true;
    }
    const accountId = new URLSearchParams(body).get("account") ?? "";
    const details = await provider.interactionDetails(req, res);
    const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    grant.addOIDCScope("openid email profile");
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
    return true;
  }

  const callback = provider.callback();
  server.on("request", (req, res) => {
    interactions(req, res)
      .then((handled) => {
        if (!handled) callback(req, res);
      })
      .catch((error: Error) => {
        res.writeHead(500).end(error.message);
      });
  });
  return { issuer, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

if (process.argv[1]?.endsWith("openid-provider.ts")) {
  const [port, ...redirectUris] = process.argv.slice(2);
  void startOpenIdProvider({ port: Number(port), redirectUris }).then(({ issuer }) =>
    console.log(`test OpenID provider at ${issuer}`),
  );
}
