/**
 * The example native client: what an app (mobile, desktop, CLI) does to use the starter's token
 * endpoint with DPoP (RFC 9449). Tokens arrive in the response body; the session is bound to a key
 * pair the app made and never sends; every request carries a fresh proof signed with that key.
 */
import { exportJWK, importJWK, type CryptoKey } from "jose";
import { createDpopProof, generateDpopKey, type DpopKey } from "@/lib/native/dpop-proof";
import { authorizeInBrowser } from "./browser-sign-in";
import { deleteTokenFile, readTokenFile, writeTokenFile, type StoredSession } from "./token-file";

export type ClientOptions = {
  /** The auth server's origin (AUTH_URL). */
  authUrl: string;
  /** Its issuer (AUTH_ISSUER): what the redirect's `iss` must say. Default: AUTH_URL's origin. */
  issuer?: string;
  /** This app's client_id, registered in the server's AUTH_NATIVE_CLIENTS (CLIENT_ID). */
  clientId?: string;
  /** The example resource server's origin (RESOURCE_URL). */
  resourceUrl: string;
  /** Where the session is kept (TOKEN_FILE), mode 0600. */
  tokenFile: string;
  userAgent?: string;
};

/** An OAuth error from the auth server or a 4xx/5xx from an API, with the server's words. */
export class ClientError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly error: string,
  ) {
    super(message);
  }
}

type TokenResponse = { access_token: string; token_type: string; expires_in: number; refresh_token: string };

/** Refresh this long before expiry rather than send a token that dies on the way. */
const EXPIRY_MARGIN_MS = 30_000;

async function keyFrom(session: StoredSession): Promise<DpopKey> {
  const { kty, crv, x, y } = session.dpopKey;
  const privateKey = (await importJWK(session.dpopKey, "ES256")) as CryptoKey;
  return { privateKey, publicJwk: { kty, crv, x, y }, alg: "ES256" };
}

async function readJson(res: Response): Promise<Record<string, unknown>> {
  try {
    return (await res.json()) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export function createNativeClient(options: ClientOptions) {
  const authUrl = new URL(options.authUrl).origin;
  const resourceUrl = new URL(options.resourceUrl).origin;
  const tokenEndpoint = `${authUrl}/api/auth/token`;
  const userAgent = options.userAgent ?? "ExampleNativeClient/1.0";

  function load(): StoredSession {
    const session = readTokenFile(options.tokenFile);
    if (!session)
      throw new ClientError(`Not signed in (no ${options.tokenFile}). Run sign-in first.`, 0, "not_signed_in");
    if (session.authUrl !== authUrl) {
      throw new ClientError(
        `${options.tokenFile} holds a session for ${session.authUrl}, not ${authUrl}.`,
        0,
        "wrong_server",
      );
    }
    return session;
  }

  async function save(tokens: TokenResponse, key: DpopKey, privateJwk?: StoredSession["dpopKey"]) {
    if (tokens.token_type !== "DPoP") {
      // The server ignored the proof: the tokens would be bearer tokens. Do not keep them.
      throw new ClientError(
        `Expected token_type DPoP, got ${tokens.token_type}: the session is not bound to this device.`,
        0,
        "not_bound",
      );
    }
    const dpopKey = privateJwk ?? ((await exportJWK(key.privateKey)) as StoredSession["dpopKey"]);
    const session: StoredSession = {
      version: 1,
      authUrl,
      dpopKey: { kty: dpopKey.kty, crv: dpopKey.crv, x: dpopKey.x, y: dpopKey.y, d: dpopKey.d },
      tokenType: "DPoP",
      accessToken: tokens.access_token,
      accessTokenExpiresAt: Date.now() + tokens.expires_in * 1000,
      refreshToken: tokens.refresh_token,
    };
    writeTokenFile(options.tokenFile, session);
    return session;
  }

  async function tokenRequest(body: Record<string, string>, key: DpopKey): Promise<TokenResponse> {
    const res = await fetch(tokenEndpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "User-Agent": userAgent,
        DPoP: await createDpopProof(key, { method: "POST", url: tokenEndpoint }),
      },
      body: JSON.stringify(body),
    });
    const json = await readJson(res);
    if (!res.ok) {
      const description = typeof json.error_description === "string" ? json.error_description : `HTTP ${res.status}`;
      throw new ClientError(description, res.status, typeof json.error === "string" ? json.error : "http_error");
    }
    return json as TokenResponse;
  }

  /**
   * Sign-in through the system browser (RFC 8252): a key made here, now; the code from the
   * loopback redirect, exchanged with the PKCE verifier and a proof from that key, so the session
   * is bound to it. `open` gets the authorization URL (it opens a browser, or prints it).
   */
  async function signInWithBrowser(open: (url: string) => Promise<void>) {
    const key = await generateDpopKey();
    const { code, codeVerifier, redirectUri } = await authorizeInBrowser({
      authUrl,
      issuer: options.issuer ?? authUrl,
      clientId: options.clientId ?? "example-native",
      dpopPublicJwk: key.publicJwk,
      open,
    });
    const tokens = await tokenRequest(
      {
        grant_type: "authorization_code",
        code,
        redirect_uri: redirectUri,
        client_id: options.clientId ?? "example-native",
        code_verifier: codeVerifier,
      },
      key,
    );
    const session = await save(tokens, key);
    return { expiresIn: tokens.expires_in, tokenType: session.tokenType };
  }

  /**
   * Password grant with a proof (only where the server has AUTH_PASSWORD_GRANT=on, for tools that
   * cannot open a browser): the new session is bound to a key made here, now.
   */
  async function signIn(email: string, password: string) {
    const key = await generateDpopKey();
    const tokens = await tokenRequest({ grant_type: "password", email, password }, key);
    const session = await save(tokens, key);
    return { expiresIn: tokens.expires_in, tokenType: session.tokenType };
  }

  /** Refresh grant: needs a proof from the same key; the refresh token rotates. */
  async function refresh() {
    const session = load();
    const key = await keyFrom(session);
    let tokens: TokenResponse;
    try {
      tokens = await tokenRequest({ grant_type: "refresh_token", refresh_token: session.refreshToken }, key);
    } catch (error) {
      // The session is over (revoked, expired, reuse detected): what is stored is worthless.
      if (error instanceof ClientError && error.error === "invalid_grant") deleteTokenFile(options.tokenFile);
      throw error;
    }
    await save(tokens, key, session.dpopKey);
    return { expiresIn: tokens.expires_in };
  }

  /** GET with `Authorization: DPoP <token>` and a proof for this URL with `ath`; refreshes first if due, and once on a 401. */
  async function get(url: string): Promise<Record<string, unknown>> {
    let session = load();
    if (session.accessTokenExpiresAt - EXPIRY_MARGIN_MS < Date.now()) {
      await refresh();
      session = load();
    }
    for (let attempt = 0; ; attempt++) {
      const key = await keyFrom(session);
      const res = await fetch(url, {
        headers: {
          Authorization: `DPoP ${session.accessToken}`,
          DPoP: await createDpopProof(key, { method: "GET", url, accessToken: session.accessToken }),
          "User-Agent": userAgent,
        },
      });
      const json = await readJson(res);
      if (res.ok) return json;
      if (res.status === 401 && attempt === 0) {
        // The access token may have expired early or been revoked: one refresh, one retry. If the
        // session is over, the refresh fails with invalid_grant and the file is deleted.
        await refresh();
        session = load();
        continue;
      }
      const message = typeof json.message === "string" ? json.message : `HTTP ${res.status}`;
      throw new ClientError(message, res.status, typeof json.error === "string" ? json.error : "http_error");
    }
  }

  /**
   * RFC 7009: ends the session on the server, then forgets it here. A bound session is ended only
   * with a proof from its key (so a stolen refresh token cannot even sign its owner out).
   */
  async function signOut() {
    const session = load();
    const revokeUrl = `${authUrl}/api/auth/revoke`;
    const key = await keyFrom(session);
    const res = await fetch(revokeUrl, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "User-Agent": userAgent,
        DPoP: await createDpopProof(key, { method: "POST", url: revokeUrl }),
      },
      body: JSON.stringify({ token: session.refreshToken, token_type_hint: "refresh_token" }),
    });
    // Keep the file if the server did not answer: signing out must be retried, not forgotten.
    if (!res.ok)
      throw new ClientError(
        `Revocation failed (HTTP ${res.status}); the session is still stored. Try again.`,
        res.status,
        "revoke_failed",
      );
    deleteTokenFile(options.tokenFile);
  }

  return {
    signIn,
    signInWithBrowser,
    refresh,
    signOut,
    me: () => get(`${authUrl}/api/me`),
    protectedResource: () => get(`${resourceUrl}/api/protected`),
  };
}
