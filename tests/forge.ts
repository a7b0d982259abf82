/**
 * Token forgery kit for tests: builds access tokens that break exactly one rule, signed with the
 * real key (so only that rule can refuse them) or with an attacker's choice of key.
 */
import { createHmac } from "node:crypto";
import { exportJWK, exportSPKI, type JWTHeaderParameters } from "jose";
import type { KeySet } from "@/lib/keys";
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
  const c = typeof claims === "string" ? claims : Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
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
export function unsigned(alg: string, claims = validClaims(), signature = "", extraHeader: Record<string, unknown> = {}) {
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
