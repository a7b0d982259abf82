/**
 * How a person authenticated, in RFC 8176's words: what a family records and every access token
 * carries (`amr`), and what decides whether a sign-in still owes a second factor.
 *
 * - `pwd`: a password.
 * - `otp`: a one-time code (TOTP, or a recovery code).
 * - `hwk` + `user`: a passkey (a key in hardware, or synced by the platform) with user
 *   verification (a PIN or biometric gesture): something you have and something you are or know.
 *   That counts as two factors on its own (see docs/decisions/passkeys-and-two-step.md).
 * - `fed`: a provider (GitHub, Google, an OpenID provider) vouched for the person.
 * - `mfa`: added when two or more factors were used.
 */
export const AMR_VALUES = ["pwd", "otp", "hwk", "user", "fed", "mfa"] as const;
export type Amr = (typeof AMR_VALUES)[number];

const POSSESSION: ReadonlySet<Amr> = new Set(["otp", "hwk"]);

/** Whether these methods together are more than one factor. */
export function isMultiFactor(amr: readonly Amr[]): boolean {
  if (amr.includes("hwk") && amr.includes("user")) return true;
  const knowledge = amr.includes("pwd") || amr.includes("fed");
  return knowledge && amr.some((m) => POSSESSION.has(m));
}

/** The methods in a stable order, with `mfa` when they make two factors. */
export function amrOf(methods: readonly Amr[]): Amr[] {
  const set = new Set<Amr>(methods.filter((m) => m !== "mfa"));
  const ordered = AMR_VALUES.filter((m) => set.has(m));
  return isMultiFactor(ordered) ? [...ordered, "mfa"] : ordered;
}

/** A family's stored `amr` (JSON), read defensively: anything unexpected counts as a password. */
export function parseAmr(json: string): Amr[] {
  try {
    const value: unknown = JSON.parse(json);
    if (Array.isArray(value) && value.length > 0 && value.every((m) => (AMR_VALUES as readonly string[]).includes(m)))
      return value as Amr[];
  } catch {
    /* below */
  }
  return ["pwd"];
}
