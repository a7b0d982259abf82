import { randomUUID } from "node:crypto";
import { SignJWT, exportJWK, generateKeyPair, type JWK, type CryptoKey } from "jose";
import { accessTokenHash } from "@/lib/auth/dpop";

/**
 * For native clients (and tests): a DPoP key pair and proofs made with it (RFC 9449 §4). The
 * private key never leaves the client; the server only ever sees the public JWK in each proof.
 */
export type DpopKey = { privateKey: CryptoKey; publicJwk: JWK; alg: "ES256" };

export async function generateDpopKey(): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const { kty, crv, x, y } = await exportJWK(publicKey);
  return { privateKey, publicJwk: { kty, crv, x, y }, alg: "ES256" };
}

/** A proof for one request: `htu` is the URL without query or fragment; `accessToken` adds `ath`. */
export function createDpopProof(
  key: DpopKey,
  request: { method: string; url: string; accessToken?: string; now?: number; jti?: string },
): Promise<string> {
  const url = new URL(request.url);
  return new SignJWT({
    htm: request.method,
    htu: `${url.protocol}//${url.host}${url.pathname}`,
    jti: request.jti ?? randomUUID(),
    iat: Math.floor((request.now ?? Date.now()) / 1000),
    ...(request.accessToken ? { ath: accessTokenHash(request.accessToken) } : {}),
  })
    .setProtectedHeader({ typ: "dpop+jwt", alg: key.alg, jwk: key.publicJwk })
    .sign(key.privateKey);
}
