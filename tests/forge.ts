/**
 * Token forgery kit for tests: builds access tokens that break exactly one rule, signed with the
 * real key (so only that rule can refuse them) or with an attacker's choice of key.
 */
import { createHmac } from "node:crypto";
import { exportJWK, exportSPKI, type JWTHeaderParameters } from "jose";
import type { KeySet } from "@/lib/auth/keys";
import { AUDIENCE, ISSUER } from "./helpers";

export const b64 = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

export function validClaims(now = Math.floor(Date.now() / 1000)) {
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: "user-1",
    sid: "family-1",
    ver: 0,
    role: "user",
    jti: `jti-${Math.random()}`,
    iat: now,
    exp: now + 900,
    amr: ["pwd"],
    auth_time: now,
  } as Record<string, unknown>;
}

export function validHeader(keys: KeySet): JWTHeaderParameters {
  return { alg: keys.signing.alg, typ: "at+jwt", kid: keys.signing.kid };
}

/**
 * Signs with the real private key: header and claims exactly as given (undefined removes).
 * Signs by hand (WebCrypto), so it can produce what jose would refuse to make (unknown crit,
 * duplicate keys via a raw payload string).
 */
export async function signWithRealKey(
  keys: KeySet,
  claims: Record<string, unknown> | string,
  header: Partial<JWTHeaderParameters> & Record<string, unknown> = {},
) {
  const h = Object.fromEntries(Object.entries({ ...validHeader(keys), ...header }).filter(([, v]) => v !== undefined));
  const c =
    typeof claims === "string" ? claims : Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
  return signRaw(keys, b64(h), b64(c));
}

/** Signs `header.payload` (already base64url) with the real key. */
export async function signRaw(keys: KeySet, headerB64: string, payloadB64: string) {
  const input = `${headerB64}.${payloadB64}`;
  const algorithm = keys.signing.alg === "ES256" ? { name: "ECDSA", hash: "SHA-256" } : { name: "Ed25519" };
  const signature = Buffer.from(await crypto.subtle.sign(algorithm, keys.signing.key, Buffer.from(input)));
  return `${input}.${signature.toString("base64url")}`;
}

/** An unsigned token: `alg` as given (e.g. "none", "NONE"), empty or junk signature. */
export function unsigned(
  alg: string,
  claims = validClaims(),
  signature = "",
  extraHeader: Record<string, unknown> = {},
) {
  return `${b64({ alg, typ: "at+jwt", ...extraHeader })}.${b64(claims)}.${signature}`;
}

/** The classic key-confusion attack: HS256 with the server's PUBLIC key as the HMAC secret. */
export async function hs256WithPublicKey(keys: KeySet, form: "pem" | "jwk" | "raw", claims = validClaims()) {
  const publicKey = keys.verifying.get(keys.signing.kid)!.key;
  let secret: Buffer;
  if (form === "pem") secret = Buffer.from(await exportSPKI(publicKey));
  else if (form === "jwk") secret = Buffer.from(JSON.stringify(await exportJWK(publicKey)));
  else {
    const jwk = await exportJWK(publicKey);
    secret = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y ?? "", "base64url")]);
  }
  const signingInput = `${b64({ alg: "HS256", typ: "at+jwt", kid: keys.signing.kid })}.${b64(claims)}`;
  return `${signingInput}.${createHmac("sha256", secret).update(signingInput).digest("base64url")}`;
}

/** Replaces the payload of a real token, keeping its signature (a tampered token). */
export function tamperPayload(token: string, claims: Record<string, unknown>) {
  const [h, , s] = token.split(".");
  return `${h}.${b64(claims)}.${s}`;
}

/** The order of P-256's base point: ECDSA signature (r, s) and (r, n - s) both verify. */
export const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

const toBigInt = (bytes: Buffer) => BigInt(`0x${bytes.toString("hex") || "0"}`);
const toBytes32 = (value: bigint) => Buffer.from(value.toString(16).padStart(64, "0"), "hex");

/**
 * The malleated twin of an ES256 token: same header and payload, signature (r, n - s) instead of
 * (r, s). A different byte string that verifies just the same (ECDSA is malleable), which is why
 * revocation must be keyed by jti and never by the token's bytes or hash.
 */
export function highSTwin(token: string) {
  const [h, p, sig] = token.split(".");
  const raw = Buffer.from(sig, "base64url");
  if (raw.length !== 64) throw new Error("not an ES256 signature");
  const r = raw.subarray(0, 32);
  const s = toBigInt(raw.subarray(32));
  return `${h}.${p}.${Buffer.concat([r, toBytes32(P256_ORDER - s)]).toString("base64url")}`;
}

/** Replaces the signature with the given (r, s) pair (CVE-2022-21449: r = s = 0, or r = s = n). */
export function withSignature(token: string, r: bigint, s: bigint) {
  const [h, p] = token.split(".");
  return `${h}.${p}.${Buffer.concat([toBytes32(r), toBytes32(s)]).toString("base64url")}`;
}

/** Signs a raw header JSON text and raw payload JSON text with the real key (duplicate keys etc.). */
export function signJsonTexts(keys: KeySet, headerJson: string, payloadJson: string) {
  return signRaw(keys, b64(headerJson), b64(payloadJson));
}

/** Signs with any key pair (e.g. an attacker's), header and claims exactly as given. */
export async function signWithKey(
  privateKey: CryptoKey,
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
) {
  const input = `${b64(header)}.${b64(claims)}`;
  const signature = Buffer.from(
    await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, privateKey, Buffer.from(input)),
  );
  return `${input}.${signature.toString("base64url")}`;
}

/** The decoded payload of a compact JWS (no verification). */
export function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
}

const bigFrom = (b64url: string) => BigInt(`0x${Buffer.from(b64url, "base64url").toString("hex") || "0"}`);
const bigTo = (n: bigint) => {
  const hex = n.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex").toString("base64url");
};
function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new Error("not invertible");
  return ((oldS % m) + m) % m;
}
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));

/**
 * An RSA private JWK with a public exponent of the attacker's choosing (the attack run's 3071-bit
 * exponent makes every verification ~15× dearer): a real key's primes, e swapped for a huge odd
 * number coprime to φ(n), d and the CRT values recomputed. Signatures made with it verify.
 */
export async function rsaKeyWithHugeExponent(modulusLength = 3072): Promise<Record<string, string>> {
  const { generateKeyPairSync, randomBytes } = await import("node:crypto");
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength });
  const jwk = privateKey.export({ format: "jwk" }) as Required<Pick<JsonWebKey, "n" | "p" | "q">>;
  const [p, q] = [bigFrom(jwk.p), bigFrom(jwk.q)];
  const phi = (p - 1n) * (q - 1n);
  let e = bigFrom(randomBytes(modulusLength / 8 - 1).toString("base64url")) | 1n | (1n << BigInt(modulusLength - 2));
  while (gcd(e, phi) !== 1n) e += 2n;
  const d = modInverse(e, phi);
  return {
    kty: "RSA",
    n: jwk.n,
    e: bigTo(e),
    d: bigTo(d),
    p: jwk.p,
    q: jwk.q,
    dp: bigTo(d % (p - 1n)),
    dq: bigTo(d % (q - 1n)),
    qi: bigTo(modInverse(q, p)),
  };
}
