import { sign } from "node:crypto";
import { jwtVerify, type JWTHeaderParameters } from "jose";
import { z } from "zod";
import type { KeySet } from "@/lib/auth/keys";
import type { Failure } from "@/lib/auth/results";
import { AMR_VALUES, type Amr } from "@/lib/auth/amr";
import { ROLES, type Role } from "@/lib/auth/roles";

const ACCESS_TOKEN_TYP = "at+jwt";
/** Tolerated clock skew between servers, seconds. */
export const CLOCK_TOLERANCE_SECONDS = 5;
/** Anything longer is refused before any parsing: our tokens are ~500 bytes. */
export const MAX_ACCESS_TOKEN_LENGTH = 2048;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export type AccessClaims = {
  sub: string;
  /** The refresh family (session) this token was minted for. */
  sid: string;
  /** The user's token version when minted. */
  ver: number;
  role: Role;
  jti: string;
  iat: number;
  exp: number;
  /** RFC 9449 confirmation: the token is usable only with a DPoP proof from this key. */
  cnf?: { jkt: string };
  /** RFC 8176: how the user authenticated in this family (copied on every rotation). */
  amr: Amr[];
  /** The last interactive authentication of this family, seconds (OpenID Connect Core §2). */
  auth_time: number;
};

export type TokenSettings = { issuer: string; audience: string; accessTokenTtl: number };

/** Signs an access token. `now` is Unix ms; exp - iat is exactly the TTL. */
export async function signAccessToken(
  subject: {
    userId: string;
    familyId: string;
    tokenVersion: number;
    role: Role;
    dpopJkt?: string | null;
    /** How the user authenticated; a password when not given (tools and tests that mint tokens). */
    amr?: Amr[];
    /** Unix ms; the token's own time when not given. */
    authTime?: number;
  },
  keys: KeySet,
  settings: TokenSettings,
  now: number,
  jti: string,
): Promise<{ token: string; claims: AccessClaims }> {
  const iat = Math.floor(now / 1000);
  const claims: AccessClaims = {
    sub: subject.userId,
    sid: subject.familyId,
    ver: subject.tokenVersion,
    role: subject.role,
    jti,
    iat,
    exp: iat + settings.accessTokenTtl,
    ...(subject.dpopJkt ? { cnf: { jkt: subject.dpopJkt } } : {}),
    amr: subject.amr ?? ["pwd"],
    auth_time: Math.floor((subject.authTime ?? now) / 1000),
  };
  const { alg, kid, keyObject } = keys.signing;
  const header = { alg, typ: ACCESS_TOKEN_TYP, kid };
  const payload = { iss: settings.issuer, aud: settings.audience, ...claims };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  // node:crypto signs synchronously with a KeyObject (WebCrypto cost ~4x the CPU). ES256 takes
  // the JWS (IEEE P1363) signature form, not DER. The result is an ordinary compact JWS: jose and
  // any JWKS-based verifier check it (tests/tokens.test.ts).
  const signature =
    alg === "ES256"
      ? sign("sha256", Buffer.from(input), { key: keyObject, dsaEncoding: "ieee-p1363" })
      : sign(null, Buffer.from(input), keyObject);
  return { token: `${input}.${signature.toString("base64url")}`, claims };
}

const base64url = (json: string) => Buffer.from(json).toString("base64url");

const claimsSchema = z.object({
  sub: z.string().min(1).max(128),
  sid: z.string().min(1).max(128),
  ver: z.number().int().nonnegative(),
  role: z.enum(ROLES),
  jti: z.string().min(1).max(128),
  iat: z.number().int(),
  exp: z.number().int(),
  cnf: z.strictObject({ jkt: z.string().regex(/^[A-Za-z0-9_-]{43}$/) }).optional(),
  amr: z.array(z.enum(AMR_VALUES)).min(1).max(AMR_VALUES.length),
  auth_time: z.number().int().nonnegative(),
});

export type VerifyError =
  | "token_too_long"
  | "malformed"
  | "key_refused"
  | "signature_invalid"
  | "expired"
  | "claim_invalid"
  | "duplicate_member"
  | "audience_not_exact"
  | "bad_claims"
  | "lifetime_too_long"
  | "invalid";
export type VerifyResult = { ok: true; claims: AccessClaims } | Failure<VerifyError>;

/** Thrown by the key resolver: the header asks for a key we do not have or must not trust. */
class KeyRefused extends Error {}

const JOSE_ERRORS: Record<string, VerifyError> = {
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: "signature_invalid",
  ERR_JWT_EXPIRED: "expired",
  ERR_JWT_CLAIM_VALIDATION_FAILED: "claim_invalid",
};

/** Headers that ask a verifier to fetch or trust a key from the token itself: never honoured. */
const KEY_SOURCE_HEADERS = ["jwk", "jku", "x5u", "x5c"] as const;

/**
 * Duplicate member names (RFC 7515 §4, RFC 8725 §3.1): JSON.parse silently keeps the last one, so
 * two parsers could read two different tokens. Count the member names in the raw JSON (a string
 * literal followed by ':' is always a name: inside a string a quote is escaped) and compare with
 * the members the parsed value has; fewer parsed means a name was repeated. One O(n) regex pass
 * over a few hundred bytes, run only on tokens whose signature already verified.
 */
const JSON_STRING_OR_NAME = /"(?:[^"\\]|\\.)*"(\s*:)?/g;

function parsedMemberCount(value: unknown): number {
  if (value === null || typeof value !== "object") return 0;
  let n = 0;
  if (Array.isArray(value)) {
    for (const item of value) n += parsedMemberCount(item);
    return n;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    n += 1 + parsedMemberCount((value as Record<string, unknown>)[key]);
  }
  return n;
}

function hasDuplicateMembers(segment: string, parsed: unknown): boolean {
  const json = Buffer.from(segment, "base64url").toString("utf8");
  let names = 0;
  for (const match of json.matchAll(JSON_STRING_OR_NAME)) if (match[1] !== undefined) names++;
  return names !== parsedMemberCount(parsed);
}

/**
 * The one verification function. Pins the algorithm list to the configured keys, picks the key
 * by kid, and requires issuer, audience, typ at+jwt, exp, iat (not in the future, not older than
 * the TTL), sub, jti, sid, ver, role, amr and auth_time. jose rejects unknown `crit` on its own.
 * Returns an error code instead of throwing; never includes the token in it.
 */
export async function verifyAccessToken(
  token: string,
  keys: KeySet,
  settings: TokenSettings,
  now: number,
): Promise<VerifyResult> {
  if (token.length > MAX_ACCESS_TOKEN_LENGTH) return { ok: false, error: "token_too_long" };
  if (!COMPACT_JWS.test(token)) return { ok: false, error: "malformed" };
  try {
    const { payload, protectedHeader } = await jwtVerify(
      token,
      (header: JWTHeaderParameters) => {
        for (const name of KEY_SOURCE_HEADERS) {
          if (name in header) throw new KeyRefused(`"${name}" header refused`);
        }
        const entry = typeof header.kid === "string" ? keys.verifying.get(header.kid) : undefined;
        if (!entry) throw new KeyRefused("unknown kid");
        if (header.alg !== entry.alg) throw new KeyRefused("alg does not match the key");
        return entry.key;
      },
      {
        algorithms: keys.algorithms,
        issuer: settings.issuer,
        audience: settings.audience,
        typ: ACCESS_TOKEN_TYP,
        requiredClaims: ["exp", "iat", "sub", "jti", "sid", "ver", "role", "amr", "auth_time"],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        maxTokenAge: settings.accessTokenTtl,
        currentDate: new Date(now),
      },
    );
    const [headerSegment, payloadSegment] = token.split(".", 2);
    if (hasDuplicateMembers(headerSegment, protectedHeader) || hasDuplicateMembers(payloadSegment, payload)) {
      return { ok: false, error: "duplicate_member" };
    }
    // jose accepts an aud array that merely contains ours; we only ever issue a single string.
    if (payload.aud !== settings.audience) return { ok: false, error: "audience_not_exact" };
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) return { ok: false, error: "bad_claims" };
    // We mint exp = iat + TTL exactly; a longer-lived token is not one of ours (or predates a TTL cut).
    if (claims.data.exp - claims.data.iat > settings.accessTokenTtl) return { ok: false, error: "lifetime_too_long" };
    return { ok: true, claims: claims.data };
  } catch (error) {
    if (error instanceof KeyRefused) return { ok: false, error: "key_refused" };
    return { ok: false, error: JOSE_ERRORS[(error as { code?: string }).code ?? ""] ?? "invalid" };
  }
}
