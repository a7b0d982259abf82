import { createPrivateKey, type KeyObject } from "node:crypto";
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from "jose";

/** Signature algorithms this starter signs and verifies with. Never "none", never HMAC. */
export const SUPPORTED_ALGORITHMS = ["ES256", "EdDSA"] as const;
export type SigningAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];

export type PublicJwk = JWK & { kid: string; alg: SigningAlgorithm; use: "sig" };

export type KeySet = {
  /** The first key of the set: it signs every new token (`keyObject`: node:crypto's handle, which
   * signs synchronously at a quarter of WebCrypto's CPU; see BENCHMARKS.md). */
  signing: { kid: string; alg: SigningAlgorithm; key: CryptoKey; keyObject: KeyObject };
  /** Every key of the set by kid (public half): any of them verifies. */
  verifying: Map<string, { alg: SigningAlgorithm; key: CryptoKey }>;
  /** The algorithms present in the set: the only ones a verifier accepts. */
  algorithms: SigningAlgorithm[];
  /** What /.well-known/jwks.json serves. */
  publicJwks: { keys: PublicJwk[] };
};

export class KeySetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeySetError";
  }
}

/** Members of a JWK that are private or secret; none of them may leave the server. */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] as const;

const CURVE_FOR: Record<SigningAlgorithm, { kty: string; crv: string }> = {
  ES256: { kty: "EC", crv: "P-256" },
  EdDSA: { kty: "OKP", crv: "Ed25519" },
};

function toPublicJwk(jwk: JWK & { kid: string; alg: SigningAlgorithm }): PublicJwk {
  const { kty, crv, x, y, kid, alg } = jwk;
  const pub: PublicJwk = { kty, crv, x, kid, alg, use: "sig" };
  if (y !== undefined) pub.y = y;
  return pub;
}

/**
 * Parses AUTH_SIGNING_KEYS: a JWK Set of private keys, each with kid and alg. The first signs;
 * all verify. Throws KeySetError with a message fit to stop start-up.
 */
export async function loadKeySet(json: string): Promise<KeySet> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new KeySetError(
      'AUTH_SIGNING_KEYS is not valid JSON: expected a JWK Set such as {"keys":[{...}]} (run `npm run keys` to make one)',
    );
  }
  const keys = (parsed as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new KeySetError(
      'AUTH_SIGNING_KEYS must be a JWK Set with at least one key: {"keys":[{...}]} (run `npm run keys` to make one)',
    );
  }

  const verifying: KeySet["verifying"] = new Map();
  const publicKeys: PublicJwk[] = [];
  let signing: KeySet["signing"] | undefined;

  for (const [index, raw] of keys.entries()) {
    const where = `AUTH_SIGNING_KEYS key #${index + 1}`;
    if (typeof raw !== "object" || raw === null) throw new KeySetError(`${where} is not a JSON object`);
    const jwk = raw as JWK;
    if (typeof jwk.kid !== "string" || jwk.kid.length === 0 || jwk.kid.length > 128) {
      throw new KeySetError(`${where} needs a "kid" (a short string naming the key)`);
    }
    if (!SUPPORTED_ALGORITHMS.includes(jwk.alg as SigningAlgorithm)) {
      throw new KeySetError(`${where} (kid "${jwk.kid}") needs "alg" set to one of ${SUPPORTED_ALGORITHMS.join(", ")}`);
    }
    const alg = jwk.alg as SigningAlgorithm;
    const expected = CURVE_FOR[alg];
    if (jwk.kty !== expected.kty || jwk.crv !== expected.crv) {
      throw new KeySetError(`${where} (kid "${jwk.kid}") must be a ${expected.kty} ${expected.crv} key for ${alg}`);
    }
    if (typeof jwk.d !== "string") {
      throw new KeySetError(
        `${where} (kid "${jwk.kid}") is missing its private part "d": AUTH_SIGNING_KEYS holds private keys`,
      );
    }
    if (verifying.has(jwk.kid)) throw new KeySetError(`${where}: kid "${jwk.kid}" appears twice`);

    const pub = toPublicJwk(jwk as JWK & { kid: string; alg: SigningAlgorithm });
    let privateKey: CryptoKey;
    let publicKey: CryptoKey;
    let keyObject: KeyObject;
    try {
      privateKey = (await importJWK({ ...jwk, ext: false }, alg)) as CryptoKey;
      publicKey = (await importJWK(pub, alg)) as CryptoKey;
      keyObject = createPrivateKey({
        key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, d: jwk.d } as never,
        format: "jwk",
      });
    } catch (error) {
      throw new KeySetError(`${where} (kid "${jwk.kid}") could not be imported: ${(error as Error).message}`);
    }
    verifying.set(jwk.kid, { alg, key: publicKey });
    publicKeys.push(pub);
    if (index === 0) signing = { kid: jwk.kid, alg, key: privateKey, keyObject };
  }

  return {
    signing: signing!,
    verifying,
    algorithms: [...new Set([...verifying.values()].map((k) => k.alg))],
    publicJwks: { keys: publicKeys },
  };
}

/** A fresh private JWK Set with one key, as a JSON string (for `npm run keys` and development). */
export async function generateKeySetJson(alg: SigningAlgorithm = "ES256", now = new Date()): Promise<string> {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    crv: alg === "EdDSA" ? "Ed25519" : undefined,
  });
  const jwk = await exportJWK(privateKey);
  const kid = `${now.toISOString().slice(0, 10)}-${crypto.randomUUID().slice(0, 8)}`;
  return JSON.stringify({ keys: [{ ...jwk, kid, alg, use: "sig" }] });
}

export { PRIVATE_MEMBERS };
