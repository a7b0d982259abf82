import { createHash } from "node:crypto";
import type { Random } from "@/lib/auth/clock";

/**
 * Opaque bearer tokens (refresh tokens, emailed links): 32 random bytes = 256 bits, base64url,
 * 43 characters. Stored only as a hash.
 */
const OPAQUE_TOKEN_BYTES = 32;
const OPAQUE_TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function newOpaqueToken(random: Random): string {
  return random.bytes(OPAQUE_TOKEN_BYTES).toString("base64url");
}

/** Checked before any lookup: anything not shaped like our tokens is refused outright. */
export function isWellFormedOpaqueToken(value: string): boolean {
  return OPAQUE_TOKEN_SHAPE.test(value);
}

/** Stored instead of the token. A fast hash is right here: the input has 256 bits of entropy. */
export function hashOpaqueToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
