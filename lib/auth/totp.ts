import { Secret, TOTP } from "otpauth";
import type { Random } from "@/lib/auth/clock";

/**
 * TOTP (RFC 6238) as every authenticator app does it: SHA-1, 6 digits, 30-second steps, one step
 * of clock skew either way. `otpauth` computes the codes; which step a code was for is returned,
 * so the caller can accept each step once (lib/auth/two-factor.ts, the store's useTotpStep).
 */
const TOTP_PERIOD_SECONDS = 30;
const SETTINGS = { algorithm: "SHA1", digits: 6, period: TOTP_PERIOD_SECONDS } as const;
/** One step before and after the current one: a code typed as the step turns, or a clock a bit off. */
const WINDOW = 1;

/** A new secret: 160 bits (RFC 4226's recommendation), base32 as apps take it. */
export function newTotpSecret(random: Random): string {
  return new Secret({ buffer: new Uint8Array(random.bytes(20)).buffer }).base32;
}

/** The otpauth:// URI an authenticator app reads from the QR code. */
export function totpUri(secret: string, account: string, issuer: string): string {
  return new TOTP({ ...SETTINGS, issuer, label: account, secret: Secret.fromBase32(secret) }).toString();
}

/** The step (30-second counter) this code is valid for at `now`, or null. */
export function totpStepOf(secret: string, code: string, now: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const totp = new TOTP({ ...SETTINGS, secret: Secret.fromBase32(secret) });
  const delta = totp.validate({ token: code, timestamp: now, window: WINDOW });
  return delta === null ? null : Math.floor(now / 1000 / TOTP_PERIOD_SECONDS) + delta;
}

/** The code for `now` (tests, and the QA helper that plays the authenticator app). */
export function totpCode(secret: string, now: number): string {
  return new TOTP({ ...SETTINGS, secret: Secret.fromBase32(secret) }).generate({ timestamp: now });
}
