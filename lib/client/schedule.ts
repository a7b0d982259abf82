import { serverTimeOf } from "@/lib/client/server-calls";

/** Clock differences below this are noise (the Date header has one-second precision). */
const SKEW_THRESHOLD_MS = 3_000;

/** The server's clock as seen from the page: expiry times come from the server. */
export class ServerClock {
  /** Server clock minus local clock, when they differ by more than noise. */
  private skew = 0;

  now(): number {
    return Date.now() + this.skew;
  }

  /** A server time read just now (the layout's seed). */
  note(serverNow: number) {
    const estimate = serverNow - Date.now();
    this.skew = Math.abs(estimate) > SKEW_THRESHOLD_MS ? estimate : 0;
  }

  noteFrom(res: Response) {
    const server = serverTimeOf(res);
    if (server !== null) this.note(server);
  }
}

/** When to renew: at 75% of the remaining lifetime (at most a minute early), minus up to 10% jitter. */
export function refreshDueAt(accessExpiresAt: number, now: number, random = Math.random): number {
  const remaining = accessExpiresAt - now;
  if (remaining <= 0) return now;
  const lead = Math.min(60_000, Math.max(remaining * 0.25, Math.min(1_000, remaining * 0.5)));
  const jitter = random() * Math.min(remaining * 0.1, 10_000);
  return accessExpiresAt - lead - jitter;
}
