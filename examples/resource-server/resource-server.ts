/**
 * The example resource server: another service that trusts the auth server's access tokens
 * without sharing a secret or a database with it. It knows the auth server only by its JWKS URL
 * (the public halves of the signing keys), its issuer and the audience; it verifies every token
 * itself and answers `GET /api/protected` with `{ sub, role }`.
 *
 * Only node:http and jose, plus the starter's DPoP proof check (lib/auth/dpop.ts, which is jose
 * and node:crypto only). See README.md next to this file for what such a service cannot see.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createRemoteJWKSet, jwtVerify, type JWTHeaderParameters, type FlattenedJWSInput, type JWTPayload } from "jose";
import { DPOP_ALGORITHMS, verifyDpopProof } from "@/lib/auth/dpop";

/** The only algorithms the auth server signs with. Pinned: never taken from the token's header. */
const ACCESS_TOKEN_ALGORITHMS = ["ES256", "EdDSA"];
const MAX_TOKEN_LENGTH = 2048;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const AUTHORIZATION = /^(Bearer|DPoP) ([A-Za-z0-9._~+/-]+=*)$/i;
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;
/** Headers that would make a verifier fetch or trust a key named by the token itself. */
const KEY_SOURCE_HEADERS = ["jwk", "jku", "x5u", "x5c"];
const CLOCK_TOLERANCE_SECONDS = 5;

export type ResourceServerOptions = {
  /** Where the auth server publishes its public keys (`/.well-known/jwks.json`). */
  jwksUrl: URL;
  /** The `iss` and `aud` every token must carry, exactly. */
  issuer: string;
  audience: string;
  /** This service's public origin: DPoP proofs must name it (`htu`), whatever the Host header says. */
  publicUrl: string;
  /** Tokens that claim a longer life (exp − iat), or were issued longer ago, are refused. Seconds. */
  maxTokenAge: number;
  /** After a fetch, an unknown `kid` waits this long before it may trigger another one. ms. */
  jwksCooldownMs: number;
  /** The fetched key set is used for this long, then fetched again on the next request. ms. */
  jwksCacheMaxAgeMs: number;
  /** Unix ms; for tests. */
  now?: () => number;
  /** One line per refused request (a reason code, never a token). */
  log?: (entry: Record<string, unknown>) => void;
};

type AuthResult =
  | { ok: true; sub: string; role: string; jkt: string | null }
  | { ok: false; status: 401 | 503; error: string; message: string; challenge?: string; reason: string };

class KeyRefused extends Error {}
class JwksUnavailable extends Error {}

/**
 * Remembers DPoP proofs until they are too old to be accepted anyway (their iat window), so each
 * proof is accepted once. In memory on purpose: a proof is bound to this service's URL (`htu`),
 * so only this service can be shown it, and it is dead after about a minute; one instance's memory
 * covers that. With several instances behind a load balancer, a proof replayed to another instance
 * within that minute would pass: share the set (Redis SET NX with an expiry) or pin clients.
 */
export class ReplayCache {
  private seen = new Map<string, number>();
  private nextSweep = 0;

  /** True the first time an id is offered (and remembers it until `until`), false after. */
  firstUse(id: string, until: number, now: number): boolean {
    if (now >= this.nextSweep) {
      for (const [key, expiry] of this.seen) if (expiry <= now) this.seen.delete(key);
      this.nextSweep = now + 10_000;
    }
    const expiry = this.seen.get(id);
    if (expiry !== undefined && expiry > now) return false;
    this.seen.set(id, until);
    return true;
  }

  get size() {
    return this.seen.size;
  }
}

const dpopChallenge = (error?: string) =>
  `DPoP ${error ? `error="${error}", ` : ""}algs="${DPOP_ALGORITHMS.join(" ")}"`;
const bearerChallenge = (error?: string) => `Bearer realm="resource-server"${error ? `, error="${error}"` : ""}`;

function createVerifier(options: ResourceServerOptions) {
  const now = options.now ?? Date.now;
  const jwks = createRemoteJWKSet(options.jwksUrl, {
    cooldownDuration: options.jwksCooldownMs,
    cacheMaxAge: options.jwksCacheMaxAgeMs,
    timeoutDuration: 5_000,
  });
  const replay = new ReplayCache();

  /** Picks the key by `kid` from the JWKS (a refetch for an unknown kid, at most once per cooldown). */
  async function keyFor(header: JWTHeaderParameters, token: FlattenedJWSInput) {
    for (const name of KEY_SOURCE_HEADERS) if (name in header) throw new KeyRefused(`${name} header`);
    if (typeof header.kid !== "string" || header.kid.length === 0 || header.kid.length > 128)
      throw new KeyRefused("no kid");
    try {
      return await jwks(header, token);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === "ERR_JWKS_NO_MATCHING_KEY" || code === "ERR_JWKS_MULTIPLE_MATCHING_KEYS") throw new KeyRefused(code);
      // Timeouts, connection errors, a non-200 or a body that is not a JWK Set: not the client's fault.
      throw new JwksUnavailable(code ?? (error as Error).name);
    }
  }

  const invalidToken = (
    scheme: "Bearer" | "DPoP",
    reason: string,
    message = "The access token is not valid.",
  ): AuthResult => ({
    ok: false,
    status: 401,
    error: "invalid_token",
    message,
    challenge: scheme === "DPoP" ? dpopChallenge("invalid_token") : bearerChallenge("invalid_token"),
    reason,
  });
  const invalidProof = (reason: string, message: string): AuthResult => ({
    ok: false,
    status: 401,
    error: "invalid_dpop_proof",
    message,
    challenge: dpopChallenge("invalid_dpop_proof"),
    reason,
  });

  /**
   * The whole check for one request: the token's signature (key from the JWKS by kid), algorithm,
   * typ, issuer, audience (one exact string), lifetime and claims; then, for a DPoP-bound token
   * (`cnf.jkt`), the DPoP scheme and a fresh, unreplayed proof for this method and URL from that key.
   */
  async function authenticate(request: {
    method: string;
    path: string;
    authorization: string | undefined;
    dpop: string | string[] | undefined;
  }): Promise<AuthResult> {
    if (request.authorization === undefined) {
      return {
        ok: false,
        status: 401,
        error: "unauthenticated",
        message:
          "Send an access token: Authorization: DPoP <token> with a DPoP proof, or Bearer <token> for an unbound one.",
        challenge: `${bearerChallenge()}, ${dpopChallenge()}`,
        reason: "no_authorization",
      };
    }
    const match = AUTHORIZATION.exec(request.authorization);
    if (!match) {
      return {
        ok: false,
        // 401 like every other refusal (as the auth server's /api/me answers a malformed header).
        status: 401,
        error: "invalid_request",
        message: "The Authorization header must be Bearer <token> or DPoP <token>.",
        challenge: `${bearerChallenge("invalid_request")}, ${dpopChallenge("invalid_request")}`,
        reason: "malformed_authorization",
      };
    }
    const scheme = match[1].toLowerCase() === "dpop" ? "DPoP" : "Bearer";
    const token = match[2];
    if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) return invalidToken(scheme, "malformed_token");

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keyFor, {
        algorithms: ACCESS_TOKEN_ALGORITHMS,
        issuer: options.issuer,
        audience: options.audience,
        typ: "at+jwt",
        requiredClaims: ["exp", "iat", "sub", "jti"],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        maxTokenAge: options.maxTokenAge,
        currentDate: new Date(now()),
      }));
    } catch (error) {
      if (error instanceof JwksUnavailable) {
        return {
          ok: false,
          status: 503,
          error: "temporarily_unavailable",
          message: "The auth server's keys could not be fetched. Try again shortly.",
          reason: `jwks_unavailable:${error.message}`,
        };
      }
      if (error instanceof KeyRefused) return invalidToken(scheme, `key_refused:${error.message}`);
      const code = (error as { code?: string }).code ?? "invalid";
      if (code === "ERR_JWT_EXPIRED") return invalidToken(scheme, "expired", "The access token has expired.");
      return invalidToken(scheme, code);
    }

    // jose accepts an aud array that merely contains ours; the auth server only issues one string.
    if (payload.aud !== options.audience) return invalidToken(scheme, "audience_not_exact");
    if (typeof payload.sub !== "string" || payload.sub.length === 0 || typeof payload.role !== "string") {
      return invalidToken(scheme, "bad_claims");
    }
    if ((payload.exp as number) - (payload.iat as number) > options.maxTokenAge)
      return invalidToken(scheme, "lifetime_too_long");
    const cnf = payload.cnf as { jkt?: unknown } | undefined;
    if (
      cnf !== undefined &&
      (typeof cnf !== "object" || cnf === null || typeof cnf.jkt !== "string" || !THUMBPRINT.test(cnf.jkt))
    ) {
      return invalidToken(scheme, "bad_cnf");
    }
    const jkt = cnf?.jkt as string | undefined;

    if (!jkt) {
      // The DPoP scheme promises a binding the token does not have: refused, as the auth server does.
      if (scheme === "DPoP")
        return invalidToken(scheme, "unbound_token_as_dpop", "This access token is not DPoP-bound: send it as Bearer.");
      return { ok: true, sub: payload.sub, role: payload.role, jkt: null };
    }
    // RFC 9449 §7.2: a bound token presented as Bearer is refused, or DPoP would protect nothing.
    if (scheme !== "DPoP") {
      return {
        ok: false,
        status: 401,
        error: "invalid_token",
        message: "This access token is bound to a DPoP key: send it as Authorization: DPoP <token> with a DPoP proof.",
        challenge: dpopChallenge("invalid_token"),
        reason: "bound_token_as_bearer",
      };
    }
    // Exactly one DPoP header (Node joins repeated ones with ", "; a proof has no comma).
    if (typeof request.dpop !== "string" || request.dpop.includes(",")) {
      return invalidProof("dpop_missing", "Send exactly one DPoP proof for this request.");
    }
    const at = now();
    const proof = await verifyDpopProof(request.dpop, {
      method: request.method,
      url: `${options.publicUrl}${request.path}`,
      now: at,
      accessToken: token,
    });
    if (!proof.ok) return invalidProof(proof.error, "The DPoP proof is not valid for this request.");
    if (proof.jkt !== jkt)
      return invalidProof("dpop_key_mismatch", "The DPoP proof is not from the key this token is bound to.");
    if (!replay.firstUse(proof.replayId, proof.replayUntil, at))
      return invalidProof("dpop_replayed", "This DPoP proof was already used.");
    return { ok: true, sub: payload.sub, role: payload.role, jkt };
  }

  return { authenticate, replayCacheSize: () => replay.size };
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    ...headers,
  });
  res.end(text);
}

/** The HTTP side: one route, JSON answers, nothing else. */
function createResourceServer(options: ResourceServerOptions) {
  const verifier = createVerifier(options);
  const log = options.log ?? (() => undefined);
  const server = http.createServer((req, res) => {
    let path: string;
    try {
      path = new URL(req.url ?? "/", "http://resource-server.invalid").pathname;
    } catch {
      send(res, 400, { error: "invalid_request", message: "Bad request target." });
      return;
    }
    if (path !== "/api/protected") {
      send(res, 404, { error: "not_found", message: "Nothing here. Try GET /api/protected." });
      return;
    }
    if (req.method !== "GET") {
      send(res, 405, { error: "method_not_allowed", message: "Use GET for this endpoint." }, { Allow: "GET" });
      return;
    }
    verifier
      .authenticate({ method: req.method, path, authorization: req.headers.authorization, dpop: req.headers.dpop })
      .then((result) => {
        if (result.ok) {
          send(res, 200, { sub: result.sub, role: result.role });
          return;
        }
        log({ msg: "request refused", status: result.status, reason: result.reason });
        send(
          res,
          result.status,
          { error: result.error, message: result.message },
          result.challenge ? { "WWW-Authenticate": result.challenge } : {},
        );
      })
      .catch((error: unknown) => {
        log({ msg: "unexpected error", error: (error as Error).name });
        send(res, 500, { error: "internal_error", message: "Something went wrong." });
      });
  });
  return { server, verifier };
}

/**
 * Starts listening; `port` 0 picks a free one. Without `publicUrl`, the public origin is
 * `http://<host or localhost>:<port>`.
 */
export async function startResourceServer(
  options: Omit<ResourceServerOptions, "publicUrl"> & { publicUrl?: string; port: number; host?: string },
) {
  let publicUrl = options.publicUrl ?? "";
  const { server, verifier } = createResourceServer({
    ...options,
    get publicUrl() {
      return publicUrl;
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  if (!publicUrl) publicUrl = `http://${options.host ?? "localhost"}:${port}`;
  return {
    url: publicUrl,
    port,
    verifier,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
