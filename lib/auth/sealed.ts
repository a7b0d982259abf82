import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";

/**
 * Secrets the server must read back later (a queued mail's link until it is sent; TOTP secrets)
 * are stored sealed: AES-256-GCM with a key from AUTH_SECRETS_KEY, never in the clear. The first
 * key seals; every key opens, so keys rotate by putting a new one first. The `context` (e.g. the
 * row's id) is bound as associated data: a sealed value copied into another row does not open.
 *
 * Format: `v1.<kid>.<iv>.<ciphertext>.<tag>` (base64url parts; kid names the key that sealed).
 */
export type Sealer = {
  seal(plaintext: string, context: string): string;
  /** The plaintext, or null when the value is malformed, forged, sealed for another context or by
   * a key we no longer have. */
  open(sealed: string, context: string): string | null;
  /** A 16-byte tag over `data` for `purpose` (HMAC-SHA-256 with a key derived for it): proof that we made it. */
  tag(data: Buffer, purpose: string): Buffer;
  /** Whether `tag` is ours for `data` (any key of the list: tags survive a rotation). Constant time. */
  checkTag(data: Buffer, tag: Buffer, purpose: string): boolean;
};

const SECRETS_KEY_BYTES = 32;
const TAG_BYTES = 16;

export class SecretsKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretsKeyError";
  }
}

const kidOf = (key: Buffer) => createHash("sha256").update(key).digest("base64url").slice(0, 8);

/** AUTH_SECRETS_KEY: one or more base64url keys of 32 bytes, comma-separated, the sealing key first. */
export function parseSecretsKeys(value: string): Buffer[] {
  const keys = value
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const key = /^[A-Za-z0-9_-]+$/.test(part) ? Buffer.from(part, "base64url") : Buffer.alloc(0);
      if (key.length !== SECRETS_KEY_BYTES) {
        throw new SecretsKeyError(
          `AUTH_SECRETS_KEY must be one or more comma-separated base64url keys of ${SECRETS_KEY_BYTES} bytes (run \`npm run keys\`)`,
        );
      }
      return key;
    });
  if (keys.length === 0) throw new SecretsKeyError("AUTH_SECRETS_KEY is empty (run `npm run keys -- secrets`)");
  return keys;
}

export function generateSecretsKey(): string {
  return randomBytes(SECRETS_KEY_BYTES).toString("base64url");
}

export function createSealer(keys: Buffer[]): Sealer {
  if (keys.length === 0) throw new SecretsKeyError("no secrets key");
  const byKid = new Map(keys.map((key) => [kidOf(key), key]));
  const sealing = keys[0];
  const sealingKid = kidOf(sealing);
  // One derived key per (key, purpose): a tag for one purpose proves nothing for another.
  const derived = new Map<string, Buffer[]>();
  const tagKeys = (purpose: string) => {
    let list = derived.get(purpose);
    if (!list) {
      list = keys.map((key) =>
        Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), `auth-starter tag: ${purpose}`, 32)),
      );
      derived.set(purpose, list);
    }
    return list;
  };
  const hmac = (key: Buffer, data: Buffer) => createHmac("sha256", key).update(data).digest().subarray(0, TAG_BYTES);
  return {
    tag: (data, purpose) => hmac(tagKeys(purpose)[0], data),
    checkTag(data, tag, purpose) {
      if (tag.length !== TAG_BYTES) return false;
      let ok = false;
      for (const key of tagKeys(purpose)) ok = timingSafeEqual(hmac(key, data), tag) || ok;
      return ok;
    },
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", sealing, iv);
      cipher.setAAD(Buffer.from(context));
      const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      const parts = [iv, ciphertext, cipher.getAuthTag()].map((b) => b.toString("base64url"));
      return ["v1", sealingKid, ...parts].join(".");
    },
    open(sealed, context) {
      const [version, kid, iv, ciphertext, tag, extra] = sealed.split(".");
      const key = byKid.get(kid ?? "");
      if (version !== "v1" || !key || iv === undefined || ciphertext === undefined || !tag || extra !== undefined)
        return null;
      try {
        // A fixed 16-byte tag: a forger must not get away with a shorter (weaker) one.
        const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"), { authTagLength: 16 });
        decipher.setAAD(Buffer.from(context));
        decipher.setAuthTag(Buffer.from(tag, "base64url"));
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString(
          "utf8",
        );
      } catch {
        return null;
      }
    },
  };
}
