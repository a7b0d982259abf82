import { createHash, timingSafeEqual } from "node:crypto";
import type { AuthContext } from "@/lib/auth/context";
import type { RequestMeta } from "@/lib/auth/events";
import { hashOpaqueToken, isWellFormedOpaqueToken, newOpaqueToken } from "@/lib/auth/opaque-token";
import { fail, type Result } from "@/lib/auth/results";
import type { Config } from "@/lib/config";

type NativeClient = Config["nativeClients"][number];

/** A code lives a minute (RFC 6749 §4.1.2 recommends at most ten): the app exchanges it at once. */
const AUTHORIZATION_CODE_TTL_MS = 60 * 1000;

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
/** An S256 challenge or an RFC 7638 thumbprint: base64url SHA-256, 43 characters. */
const SHA256_B64URL = /^[A-Za-z0-9_-]{43}$/;
/** `state` is the app's to choose; bounded so the redirect (and the login page's `next`) stays small. */
const STATE = /^[\x21-\x7e]{1,256}$/;

const isWellFormedCodeVerifier = (value: string) => CODE_VERIFIER.test(value);

/** RFC 7636 §4.2, S256: BASE64URL(SHA256(ASCII(code_verifier))). */
function s256(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}

/** PKCE's check at the exchange: the verifier hashes to the challenge the code was bound to. */
export function verifierMatches(verifier: string, challenge: string): boolean {
  if (!isWellFormedCodeVerifier(verifier)) return false;
  const x = Buffer.from(s256(verifier));
  const y = Buffer.from(challenge);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Whether a presented redirect URI is one the client registered. Exact string comparison
 * (RFC 9700 §2.1: no pattern matching), with the one exception RFC 8252 §7.3 makes: for a
 * loopback IP the port is the app's to pick at run time, so any port matches. The presented value
 * must already be in normal form (what the URL parser gives back), so "/cb/../cb", upper-case
 * schemes and numeric hosts never match by normalisation; userinfo and fragments never match.
 */
export function redirectUriMatches(client: NativeClient, presented: string): boolean {
  if (presented.length > 512) return false;
  let url: URL;
  try {
    url = new URL(presented);
  } catch {
    return false;
  }
  if (url.href !== presented || url.username || url.password) return false;
  return client.redirectUris.some((registered) => {
    if (registered.kind !== "loopback") return registered.uri === presented;
    if (url.protocol !== "http:") return false;
    const withoutPort = new URL(presented);
    withoutPort.port = "";
    return withoutPort.href === registered.uri;
  });
}

/** A checked authorization request: everything a code is bound to. */
export type AuthorizeRequest = {
  client: NativeClient;
  redirectUri: string;
  codeChallenge: string;
  state: string;
  /** RFC 9449 §10: the app's DPoP key thumbprint; the exchange must prove that key. */
  dpopJkt: string | null;
};

/**
 * What to do with a bad request (RFC 6749 §4.1.2.1): without a known client and one of its
 * redirect URIs, the browser must not be sent anywhere, so a page says what is wrong; otherwise
 * the error goes back to the app on its redirect URI, with its `state`.
 */
export type AuthorizeCheck =
  | { ok: true; request: AuthorizeRequest }
  | { ok: false; show: "page"; message: string }
  | {
      ok: false;
      show: "redirect";
      redirectUri: string;
      state: string | null;
      error: "invalid_request" | "unsupported_response_type";
      description: string;
    };

/** Checks `GET /api/auth/authorize`'s query (RFC 6749 §4.1.1, RFC 7636 §4.3, RFC 9449 §10). */
export function checkAuthorizeRequest(params: URLSearchParams, clients: readonly NativeClient[]): AuthorizeCheck {
  // RFC 6749 §3.1: a parameter sent twice is an error (which one would the app have meant?).
  const once = (name: string) => {
    const all = params.getAll(name);
    return all.length === 1 ? all[0] : all.length === 0 ? null : undefined;
  };
  const clientId = once("client_id");
  if (!clientId) return { ok: false, show: "page", message: "The app did not say which app it is (client_id)." };
  const client = clients.find((c) => c.clientId === clientId);
  if (!client) return { ok: false, show: "page", message: "This app is not registered with this server." };
  const redirectUri = once("redirect_uri");
  if (!redirectUri || !redirectUriMatches(client, redirectUri)) {
    return { ok: false, show: "page", message: "The app asked to be sent back to an address it did not register." };
  }
  const state = once("state");
  const refuse = (description: string, error: "invalid_request" | "unsupported_response_type" = "invalid_request") =>
    ({
      ok: false,
      show: "redirect",
      redirectUri,
      // A malformed state is not echoed back: the app did not send it.
      state: state && STATE.test(state) ? state : null,
      error,
      description,
    }) as const;
  const responseType = once("response_type");
  if (responseType === undefined || !responseType) return refuse("response_type is required, once.");
  if (responseType !== "code") return refuse("Only response_type=code is supported.", "unsupported_response_type");
  if (!state || !STATE.test(state)) return refuse("state is required: 1 to 256 visible ASCII characters.");
  const challenge = once("code_challenge");
  if (!challenge || !SHA256_B64URL.test(challenge))
    return refuse("code_challenge is required (PKCE, RFC 7636): 43 base64url characters.");
  // A missing method means "plain" (RFC 7636 §4.3), which protects nothing if the request is seen.
  if (once("code_challenge_method") !== "S256") return refuse("code_challenge_method must be S256.");
  const dpopJkt = once("dpop_jkt");
  if (dpopJkt === undefined || (dpopJkt !== null && !SHA256_B64URL.test(dpopJkt)))
    return refuse("dpop_jkt must be a JWK SHA-256 thumbprint (RFC 9449 §10).");
  return { ok: true, request: { client, redirectUri, codeChallenge: challenge, state, dpopJkt } };
}

/** Issuing codes: the browser's signed-in session vouches for the person, once, for a minute. */
export function createAuthorizationCodes(ctx: AuthContext) {
  const { store, clock, random } = ctx;

  /**
   * A code for this checked request, bound to the browser session's user and to how and when it
   * authenticated (its family's amr and auth_time): the app's session inherits them. Refused when
   * that session is no longer live.
   */
  async function issueAuthorizationCode(
    request: AuthorizeRequest,
    browser: { userId: string; familyId: string },
    meta: RequestMeta,
  ): Promise<Result<{ code: string }, "session_ended">> {
    const now = clock.now();
    const family = await store.familyById(browser.familyId);
    if (!family || family.userId !== browser.userId || family.revokedAt !== null || family.absoluteExpiresAt <= now)
      return fail("session_ended");
    const code = newOpaqueToken(random);
    await store.insertAuthorizationCode({
      id: random.uuid(),
      codeHash: hashOpaqueToken(code),
      clientId: request.client.clientId,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      dpopJkt: request.dpopJkt,
      userId: browser.userId,
      amr: family.amr,
      authTime: family.authTime,
      provider: family.provider,
      createdAt: now,
      expiresAt: now + AUTHORIZATION_CODE_TTL_MS,
    });
    await ctx.record(
      "authorization_code_issued",
      meta,
      { userId: browser.userId, familyId: browser.familyId },
      { client: request.client.clientId, dpop: request.dpopJkt !== null },
    );
    return { ok: true, code };
  }

  return { issueAuthorizationCode };
}

/** Before any lookup: a value that cannot be one of our codes is refused outright. */
export const isWellFormedCode = isWellFormedOpaqueToken;
