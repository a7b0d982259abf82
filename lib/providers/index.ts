import * as oidc from "openid-client";
import type { ProviderIdentity } from "@/lib/auth/providers";
import type { ProviderId } from "@/lib/auth/store";
import type { ProviderConfig } from "@/lib/config/providers";

/**
 * Sign in with a provider: the protocol side. OpenID providers (Google, any issuer by discovery)
 * through openid-client, a certified relying party: the authorization code flow with PKCE S256,
 * `state`, `nonce`, the ID token checked (signature from the provider's JWKS, iss, aud, exp,
 * nonce) and RFC 9207's `iss` response parameter where the provider offers it. GitHub is OAuth
 * 2.0, not OpenID: the same code flow with PKCE and `state`, then /user and /user/emails, where
 * only a verified primary address counts, and an HTTP-200 answer carrying `error` is a failure.
 * Only the identity comes back; provider tokens are used once and never stored.
 */

/** What the browser must bring back: kept in the flow's sealed cookie (lib/server/provider-flow.ts). */
export type FlowChecks = { state: string; verifier: string; nonce: string | null };

export class ProviderError extends Error {
  constructor(
    readonly code: "access_denied" | "invalid_response" | "no_verified_email" | "unavailable",
    detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = "ProviderError";
  }
}

export type ProviderClient = {
  id: ProviderId;
  /** What the button says: "Continue with <name>". */
  name: string;
  /** New random checks for one attempt. */
  newChecks(): FlowChecks;
  authorizationUrl(checks: FlowChecks, redirectUri: string): Promise<URL>;
  /** The identity behind a callback URL: every check made, or a ProviderError. */
  identity(callback: URL, checks: FlowChecks, redirectUri: string): Promise<ProviderIdentity>;
};

const OIDC_SCOPE = "openid email profile";
const GITHUB_SCOPE = "read:user user:email";
const TIMEOUT_MS = 10_000;

function openIdClient(config: Extract<ProviderConfig, { id: "google" | "oidc" }>): ProviderClient {
  let discovered: Promise<oidc.Configuration> | undefined;
  const configuration = () => {
    discovered ??= oidc
      .discovery(config.issuer, config.clientId, undefined, oidc.ClientSecretPost(config.clientSecret), {
        // The ID token's signature is checked against the provider's JWKS too: OpenID Core lets a
        // client skip it for a token fetched over TLS, but the check costs one cached key set and
        // keeps "the provider signed this" true everywhere. Plain http only for a loopback issuer
        // (lib/config/providers.ts refuses any other).
        execute: [
          oidc.enableNonRepudiationChecks,
          ...(config.issuer.protocol === "http:" ? [oidc.allowInsecureRequests] : []),
        ],
        timeout: TIMEOUT_MS / 1000,
      })
      .catch((error: unknown) => {
        discovered = undefined; // try again next time
        throw new ProviderError("unavailable", `discovery failed (${(error as Error).name})`);
      });
    return discovered;
  };
  return {
    id: config.id,
    name: config.name,
    newChecks: () => ({
      state: oidc.randomState(),
      verifier: oidc.randomPKCECodeVerifier(),
      nonce: oidc.randomNonce(),
    }),
    async authorizationUrl(checks, redirectUri) {
      return oidc.buildAuthorizationUrl(await configuration(), {
        redirect_uri: redirectUri,
        scope: OIDC_SCOPE,
        response_type: "code",
        state: checks.state,
        nonce: checks.nonce ?? "",
        code_challenge: await oidc.calculatePKCECodeChallenge(checks.verifier),
        code_challenge_method: "S256",
      });
    },
    async identity(callback, checks, redirectUri) {
      let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
      try {
        tokens = await oidc.authorizationCodeGrant(
          await configuration(),
          callback,
          {
            pkceCodeVerifier: checks.verifier,
            expectedState: checks.state,
            expectedNonce: checks.nonce ?? undefined,
            idTokenExpected: true,
          },
          { redirect_uri: redirectUri },
        );
      } catch (error) {
        if (error instanceof ProviderError) throw error;
        const e = error as { name?: string; error?: string; code?: string };
        if (e.error === "access_denied") throw new ProviderError("access_denied", "the person declined");
        throw new ProviderError("invalid_response", `${e.name ?? "Error"}${e.code ? ` ${e.code}` : ""}`);
      }
      const claims = tokens.claims();
      if (!claims?.sub) throw new ProviderError("invalid_response", "no ID token subject");
      const email = typeof claims.email === "string" ? claims.email : null;
      return {
        provider: config.id,
        providerName: config.name,
        subject: claims.sub,
        email,
        // Only an explicit true counts (a missing claim is not a verification).
        emailVerified: email !== null && claims.email_verified === true,
        name: typeof claims.name === "string" ? claims.name : null,
      };
    },
  };
}

/** GitHub answers errors with HTTP 200 and an `error` member: both are checked. */
async function githubJson(res: Response, what: string): Promise<unknown> {
  const body = (await res.json().catch(() => null)) as { error?: unknown } | null;
  if (!res.ok || !body || (typeof body === "object" && "error" in body && body.error)) {
    const code = body && typeof body.error === "string" ? body.error : `HTTP ${res.status}`;
    throw new ProviderError(code === "access_denied" ? "access_denied" : "invalid_response", `${what}: ${code}`);
  }
  return body;
}

function githubClient(config: Extract<ProviderConfig, { id: "github" }>): ProviderClient {
  const api = (path: string, token: string) =>
    fetch(new URL(path, config.apiUrl), {
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: "application/vnd.github+json",
        "User-Agent": "auth-starter",
      },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  return {
    id: "github",
    name: config.name,
    newChecks: () => ({ state: oidc.randomState(), verifier: oidc.randomPKCECodeVerifier(), nonce: null }),
    async authorizationUrl(checks, redirectUri) {
      const url = new URL("/login/oauth/authorize", config.url);
      url.search = new URLSearchParams({
        client_id: config.clientId,
        redirect_uri: redirectUri,
        scope: GITHUB_SCOPE,
        state: checks.state,
        code_challenge: await oidc.calculatePKCECodeChallenge(checks.verifier),
        code_challenge_method: "S256",
        allow_signup: "true",
      }).toString();
      return url;
    },
    async identity(callback, checks, redirectUri) {
      const params = callback.searchParams;
      if (params.get("error")) {
        throw new ProviderError(
          params.get("error") === "access_denied" ? "access_denied" : "invalid_response",
          "error",
        );
      }
      if (params.get("state") !== checks.state) throw new ProviderError("invalid_response", "state mismatch");
      const code = params.get("code");
      if (!code) throw new ProviderError("invalid_response", "no code");
      try {
        const tokenRes = await fetch(new URL("/login/oauth/access_token", config.url), {
          method: "POST",
          headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            client_id: config.clientId,
            client_secret: config.clientSecret,
            code,
            redirect_uri: redirectUri,
            code_verifier: checks.verifier,
          }),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        const token = (await githubJson(tokenRes, "token")) as { access_token?: unknown };
        if (typeof token.access_token !== "string")
          throw new ProviderError("invalid_response", "token: no access_token");
        const user = (await githubJson(await api("/user", token.access_token), "user")) as {
          id?: unknown;
          name?: unknown;
          login?: unknown;
        };
        const emails = (await githubJson(await api("/user/emails", token.access_token), "emails")) as {
          email?: unknown;
          primary?: unknown;
          verified?: unknown;
        }[];
        if (typeof user.id !== "number" && typeof user.id !== "string")
          throw new ProviderError("invalid_response", "user: no id");
        const primary = Array.isArray(emails) ? emails.find((e) => e.primary === true) : undefined;
        const email = typeof primary?.email === "string" ? primary.email : null;
        return {
          provider: "github",
          providerName: config.name,
          subject: String(user.id),
          email,
          emailVerified: email !== null && primary?.verified === true,
          name: typeof user.name === "string" ? user.name : typeof user.login === "string" ? user.login : null,
        };
      } catch (error) {
        if (error instanceof ProviderError) throw error;
        throw new ProviderError("unavailable", (error as Error).name);
      }
    },
  };
}

/** The configured providers' clients, by id. */
export function createProviderClients(configs: ProviderConfig[]): Map<ProviderId, ProviderClient> {
  return new Map(configs.map((c) => [c.id, c.id === "github" ? githubClient(c) : openIdClient(c)]));
}
