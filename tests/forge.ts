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
