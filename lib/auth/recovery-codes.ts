import { createHmac, timingSafeEqual } from "node:crypto";
import type { Random } from "@/lib/auth/clock";

/**
 * Recovery codes: ten, each 60 random bits written as three groups of four characters from an
 * alphabet without look-alikes (no 0/O, 1/I/L), e.g. "K7QM-4TRA-WX9D". Shown once; stored as
 * salt.HMAC-SHA-256(salt, code) (ASVS 6.5.2: salted, approved hash; a slow hash is not needed
 * for 60 random bits, and checking ten codes stays cheap).
 */
const RECOVERY_CODE_COUNT = 10;
const ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"; // 31 symbols: 12 of them carry 59.4 bits…
const SYMBOLS = 13; // …so 13 (64.4 bits), shown as 4-4-5.

export function newRecoveryCodes(random: Random): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    // Rejection sampling: a byte maps to a symbol only below the largest multiple of 31.
    let out = "";
    while (out.length < SYMBOLS) {
      for (const byte of random.bytes(SYMBOLS * 2)) {
        if (byte < 248 && out.length < SYMBOLS) out += ALPHABET[byte % ALPHABET.length];
      }
    }
    return `${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8)}`;
  });
}

/** What the person typed, as stored: case, spaces and dashes do not matter. */
function normaliseRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, "");
}

export function hashRecoveryCode(code: string, random: Random): string {
  const salt = random.bytes(16).toString("base64url");
  return `${salt}.${mac(salt, normaliseRecoveryCode(code))}`;
}

export function recoveryCodeMatches(code: string, stored: string): boolean {
  const [salt, hash] = stored.split(".");
  if (!salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const actual = Buffer.from(mac(salt, normaliseRecoveryCode(code)), "base64url");
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

const mac = (salt: string, code: string) => createHmac("sha256", salt).update(code).digest("base64url");
