import { createHash } from "node:crypto";
import type { Random } from "@/lib/auth/clock";

/** 32 random bytes = 256 bits, base64url: 43 characters. */
export const REFRESH_TOKEN_BYTES = 32;
const REFRESH_TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function newRefreshToken(random: Random): string {
  return random.bytes(REFRESH_TOKEN_BYTES).toString("base64url");
}

/** Checked before any lookup: anything not shaped like our tokens is refused outright. */
export function isWellFormedRefreshToken(value: string): boolean {
  return REFRESH_TOKEN_SHAPE.test(value);
}

/** Stored instead of the token. A fast hash is right here: the input has 256 bits of entropy. */
export function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
