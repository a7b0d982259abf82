/**
 * Durations in plain words for people: how long a link works ("30 minutes", "24 hours") and how
 * long to wait after a 429 ("Try again in 12 minutes."). Pure; the server pages use it too.
 */
const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;

export function durationInWords(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return plural(s, "second");
  const minutes = Math.ceil(s / 60);
  if (minutes < 120) return plural(minutes, "minute");
  const hours = Math.ceil(minutes / 60);
  if (hours < 48 || hours % 24 !== 0) return plural(hours, "hour");
  return plural(hours / 24, "day");
}

/** Seconds from a response's Retry-After header (delta-seconds or an HTTP date), or null. */
export function retryAfterSeconds(res: Response, now = Date.now()): number | null {
  const value = res.headers.get("retry-after");
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

/** The sentence a 429 shows: the wait in words when the server said how long. */
export function tooManyRequests(retryAfter: number | null): string {
  return retryAfter === null
    ? "Too many requests. Wait a little and try again."
    : `Too many requests. Try again in ${durationInWords(retryAfter)}.`;
}
