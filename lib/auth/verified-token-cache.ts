import nodeCrypto from "node:crypto";
import { CLOCK_TOLERANCE_SECONDS, type AccessClaims } from "@/lib/auth/access-token";

/** SHA-256 of the token, base64url (43 characters). crypto.hash is one-shot (Node >= 20.12). */
const tokenDigest: (token: string) => string =
  typeof nodeCrypto.hash === "function"
    ? (token) => nodeCrypto.hash("sha256", token, "base64url")
    : (token) => nodeCrypto.createHash("sha256").update(token).digest("base64url");

/**
 * A bounded cache of verified tokens for the hot path (the proxy), keyed by the exact token
 * string. Only successes are cached, each until its own exp, so a cached answer is one jose would
 * give again. Revocation is not its concern: the full check (database) enforces that.
 *
 * Keyed by the token's SHA-256 rather than the ~500-character token: the same exact-token
 * semantics at less than half the memory (figures in BENCHMARKS.md).
 */
export function createVerifiedTokenCache(maxEntries = 10_000) {
  const entries = new Map<string, AccessClaims>();
  return {
    get(token: string, now: number): AccessClaims | undefined {
      const key = tokenDigest(token);
      const claims = entries.get(key);
      if (!claims) return undefined;
      if (claims.exp + CLOCK_TOLERANCE_SECONDS <= now / 1000) {
        entries.delete(key);
        return undefined;
      }
      return claims;
    },
    set(token: string, claims: AccessClaims) {
      if (entries.size >= maxEntries) {
        // Maps iterate in insertion order: drop the oldest entry.
        entries.delete(entries.keys().next().value as string);
      }
      entries.set(tokenDigest(token), claims);
    },
    get size() {
      return entries.size;
    },
  };
}
