import { createHash } from "node:crypto";
import { EmbeddedJWK, calculateJwkThumbprint, decodeProtectedHeader, jwtVerify, type JWK } from "jose";
import type { Failure } from "@/lib/auth/results";

/**
 * DPoP proofs (RFC 9449): a client proves possession of a private key on every token request and
 * API call, so a stolen bound token is useless without the key. Verified with jose; every rule
 * below has a forged proof in tests/dpop.test.ts.
 */

/** Asymmetric algorithms only: a MAC would need a shared secret, and "none" proves nothing. */
export const DPOP_ALGORITHMS = ["ES256", "ES384", "EdDSA", "Ed25519", "RS256", "PS256"] as const;
/** A proof is fresh for this long after its iat (and this much clock skew ahead is tolerated). */
const DPOP_MAX_AGE_SECONDS = 60;
const DPOP_FUTURE_SKEW_SECONDS = 5;
const MAX_PROOF_LENGTH = 4096;
const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
/**
 * RSA keys cost what their numbers make them cost: a verify with a 3072-bit modulus and a 3071-bit
 * exponent takes ~15× one with e = 65537. Only the standard exponent and a modulus of 2048 to 4096
 * bits are accepted, so no proof costs more than a few hundred microseconds to check.
 */
const RSA_EXPONENT = "AQAB";
const RSA_MODULUS_BYTES = { min: 256, max: 512 };

/** A public key whose verification cost is bounded (EC and OKP keys always are). */
function boundedCost(jwk: JWK): boolean {
  if (jwk.kty !== "RSA") return true;
  if (jwk.e !== RSA_EXPONENT || typeof jwk.n !== "string" || !/^[A-Za-z0-9_-]+$/.test(jwk.n)) return false;
  const modulus = Buffer.from(jwk.n, "base64url");
  // A leading zero byte would let a short modulus pass for a long one.
  return modulus[0] !== 0 && modulus.length >= RSA_MODULUS_BYTES.min && modulus.length <= RSA_MODULUS_BYTES.max;
}

export type DpopError =
  | "dpop_malformed"
  | "dpop_bad_typ"
  | "dpop_bad_alg"
  | "dpop_bad_jwk"
  | "dpop_bad_signature"
  | "dpop_htm_mismatch"
  | "dpop_htu_mismatch"
  | "dpop_stale"
  | "dpop_bad_jti"
  | "dpop_ath_mismatch"
  | "dpop_replayed";

export type VerifiedDpopProof = {
  ok: true;
  /** RFC 7638 thumbprint of the proof's public key: what tokens are bound to (cnf.jkt). */
  jkt: string;
  /** The replay-cache key (thumbprint and jti hashed) and until when it must be remembered. */
  replayId: string;
  replayUntil: number;
};

/** base64url(SHA-256(access token)): the `ath` a proof carries when it accompanies a token. */
export function accessTokenHash(accessToken: string): string {
  return createHash("sha256").update(accessToken).digest("base64url");
}

/** The request URI a proof must name: scheme, host and path, no query or fragment (RFC 9449 §4.3). */
function normalisedUri(uri: string): string | null {
  try {
    const u = new URL(uri);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return null;
  }
}

/**
 * Checks a proof's form, signature and claims for one request. The replay check needs storage:
 * the caller remembers `replayId` (lib/auth/native.ts) and refuses a proof seen before.
 * `url` is built from APP_URL and the route's path, never from the Host header.
 */
export async function verifyDpopProof(
  proof: string,
  request: { method: string; url: string; now: number; accessToken?: string },
): Promise<VerifiedDpopProof | Failure<DpopError>> {
  const fail = (error: DpopError): Failure<DpopError> => ({ ok: false, error });
  if (proof.length > MAX_PROOF_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(proof))
    return fail("dpop_malformed");
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    return fail("dpop_malformed");
  }
  if (header.typ !== "dpop+jwt") return fail("dpop_bad_typ");
  if (!DPOP_ALGORITHMS.includes(header.alg as (typeof DPOP_ALGORITHMS)[number])) return fail("dpop_bad_alg");
  const jwk = header.jwk as JWK | undefined;
  if (!jwk || typeof jwk !== "object" || !["EC", "OKP", "RSA"].includes(String(jwk.kty))) return fail("dpop_bad_jwk");
  if (PRIVATE_JWK_MEMBERS.some((m) => m in jwk)) return fail("dpop_bad_jwk");
  if (!boundedCost(jwk)) return fail("dpop_bad_jwk");
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(proof, EmbeddedJWK, { typ: "dpop+jwt", algorithms: [...DPOP_ALGORITHMS] }));
  } catch (error) {
    const { code, claim } = error as { code?: string; claim?: string };
    if (code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") return fail("dpop_bad_signature");
    if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED" && claim === "iat") return fail("dpop_stale");
    return fail(code === "ERR_JOSE_ALG_NOT_ALLOWED" ? "dpop_bad_alg" : "dpop_malformed");
  }
  if (payload.htm !== request.method) return fail("dpop_htm_mismatch");
  const htu = typeof payload.htu === "string" ? normalisedUri(payload.htu) : null;
  if (!htu || htu !== normalisedUri(request.url)) return fail("dpop_htu_mismatch");
  const nowS = Math.floor(request.now / 1000);
  if (
    typeof payload.iat !== "number" ||
    payload.iat < nowS - DPOP_MAX_AGE_SECONDS ||
    payload.iat > nowS + DPOP_FUTURE_SKEW_SECONDS
  ) {
    return fail("dpop_stale");
  }
  if (typeof payload.jti !== "string" || payload.jti.length < 8 || payload.jti.length > 256)
    return fail("dpop_bad_jti");
  if (request.accessToken !== undefined && payload.ath !== accessTokenHash(request.accessToken))
    return fail("dpop_ath_mismatch");
  const jkt = await calculateJwkThumbprint(jwk, "sha256");
  return {
    ok: true,
    jkt,
    replayId: createHash("sha256").update(`${jkt}.${payload.jti}`).digest("base64url"),
    replayUntil: (payload.iat + DPOP_MAX_AGE_SECONDS + DPOP_FUTURE_SKEW_SECONDS) * 1000,
  };
}
