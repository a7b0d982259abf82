/**
 * Durations in configuration: a whole number of seconds ("900") or a number with a unit
 * ("15m", "7d", "10s", "2h"). Returns seconds. Throws with a readable message otherwise.
 */
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

export function parseDuration(value: string): number {
  const match = /^\s*(\d+)\s*([smhd]?)\s*$/.exec(value);
  if (!match) {
    throw new Error(`expected a duration such as 900, 30s, 15m, 12h or 7d, got "${value}"`);
  }
  const amount = Number(match[1]);
  const seconds = amount * UNIT_SECONDS[match[2] || "s"];
  if (!Number.isSafeInteger(seconds)) throw new Error(`duration "${value}" is too large`);
  return seconds;
}
