import type Database from "better-sqlite3";
import { RateLimiterRes, RateLimiterSQLite } from "rate-limiter-flexible";
import type { Config } from "./config";
import type { Logger } from "./log";

/**
 * Abuse limits, persisted in the app's SQLite file (table `rate_limits`, managed by
 * rate-limiter-flexible) so a restart does not reset them.
 *
 * - per client IP: sign-in, registration and refresh attempts per window;
 * - per account: after RATE_LIMIT_LOGIN_PER_ACCOUNT consecutive failures, each further failure
 *   locks the account's sign-in for 2, 4, 8 ... seconds, capped at 15 minutes. There is no
 *   permanent lockout an attacker could use against the owner; a success resets the count.
 */
export type LimitResult = { ok: true } | { ok: false; retryAfter: number; scope: string };
export const MAX_ACCOUNT_BACKOFF_SECONDS = 15 * 60;
const FAILURE_MEMORY_SECONDS = 24 * 3600;

export type RateLimits = ReturnType<typeof createRateLimits>;

export function createRateLimits(sqlite: Database.Database, config: Pick<Config, "rateLimit">, log?: Logger) {
  const { rateLimit } = config;
  if (!rateLimit.enabled) {
    log?.warn("AUTH_RATE_LIMIT=off: rate limits are disabled. This setting exists for tests only; never use it in production.");
  }
  const make = (keyPrefix: string, points: number, duration: number) =>
    new RateLimiterSQLite({
      storeClient: sqlite,
      storeType: "better-sqlite3",
      tableName: "rate_limits",
      keyPrefix,
      points,
      duration,
      clearExpiredByTimeout: false,
    });
  const loginIp = make("login_ip", rateLimit.loginPerIp, rateLimit.window);
  const registerIp = make("register_ip", rateLimit.registerPerIp, rateLimit.window);
  const refreshIp = make("refresh_ip", rateLimit.refreshPerIp, rateLimit.window);
  const accountFailures = make("login_fail", 1_000_000, FAILURE_MEMORY_SECONDS);
  const accountLock = make("login_lock", 1, 1);

  async function consume(limiter: RateLimiterSQLite, key: string, scope: string): Promise<LimitResult> {
    if (!rateLimit.enabled) return { ok: true };
    try {
      await limiter.consume(key);
      return { ok: true };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return { ok: false, retryAfter: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)), scope };
      }
      throw rejection;
    }
  }

  const ipKey = (ip: string | null) => ip ?? "unknown";

  return {
    enabled: rateLimit.enabled,
    /** Before checking a password: the IP's budget, then whether the account is backing off. */
    async beforeLogin(ip: string | null, email: string): Promise<LimitResult> {
      if (!rateLimit.enabled) return { ok: true };
      const lock = await accountLock.get(email);
      if (lock && lock.consumedPoints > 1 && lock.msBeforeNext > 0) {
        return { ok: false, retryAfter: Math.max(1, Math.ceil(lock.msBeforeNext / 1000)), scope: "account" };
      }
      return consume(loginIp, ipKey(ip), "ip");
    },
    /** After a failed password: count it; past the free attempts, back off exponentially. */
    async loginFailed(email: string): Promise<void> {
      if (!rateLimit.enabled) return;
      const res = await accountFailures.penalty(email, 1);
      const beyond = res.consumedPoints - rateLimit.loginPerAccount;
      if (beyond > 0) {
        await accountLock.block(email, Math.min(2 ** beyond, MAX_ACCOUNT_BACKOFF_SECONDS));
      }
    },
    async loginSucceeded(email: string): Promise<void> {
      if (!rateLimit.enabled) return;
      await accountFailures.delete(email);
    },
    register: (ip: string | null) => consume(registerIp, ipKey(ip), "ip"),
    refresh: (ip: string | null) => consume(refreshIp, ipKey(ip), "ip"),
  };
}
