import { RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Config } from "@/lib/config";
import { rateLimitKeyForIp } from "@/lib/security/client-ip";
import type { LimiterOptions } from "@/lib/shared/limits";
import type { Logger } from "@/lib/shared/log";

/**
 * Abuse limits (rate-limiter-flexible), counted in the app's database so a restart does not
 * reset them and every instance counts toward the same limits.
 *
 * - per client IP: sign-in and password-change attempts, registrations, and failed refreshes
 *   per window;
 * - per account (sign-in and password change share it): after RATE_LIMIT_LOGIN_PER_ACCOUNT
 *   consecutive failures, each further attempt
 *   locks the account's sign-in for 2, 4, 8 ... seconds, capped at 15 minutes; one attempt per
 *   lock, even in parallel. There is no permanent lockout, and a client that signed in to the
 *   account before (same IP or IPv6 /64, last 30 days) has a back-off of its own, so an attacker
 *   who keeps re-locking the account does not lock its owner out. A success resets the count.
 */
export type LimitResult = { ok: true } | { ok: false; retryAfter: number; scope: string };
export const MAX_ACCOUNT_BACKOFF_SECONDS = 15 * 60;
const FAILURE_MEMORY_SECONDS = 24 * 3600;
/** How long a client that signed in to an account keeps its own back-off for that account. */
const KNOWN_CLIENT_SECONDS = 30 * 86400;

/** The lock after the n-th failure beyond the free attempts: 2, 4, 8 ... seconds, at most 15 minutes. */
export function accountBackoffSeconds(beyond: number): number {
  return Math.min(2 ** Math.min(beyond, 30), MAX_ACCOUNT_BACKOFF_SECONDS);
}

export type RateLimits = ReturnType<typeof createRateLimits>;

export function createRateLimits(
  createLimiter: (options: LimiterOptions) => RateLimiterAbstract,
  config: Pick<Config, "rateLimit">,
  log?: Logger,
) {
  const { rateLimit } = config;
  if (!rateLimit.enabled) {
    log?.warn(
      "AUTH_RATE_LIMIT=off: rate limits are disabled. This setting exists for tests only; never use it in production.",
    );
  }
  const make = (keyPrefix: string, points: number, duration: number, clearExpiredByTimeout = false) =>
    // One limiter sweeps the shared table (rows expired over an hour ago, every 5 minutes, on an
    // unref'd timer), so keys an attacker makes up (emails, addresses) do not pile up forever.
    createLimiter({ keyPrefix, points, duration, clearExpiredByTimeout });
  const loginIp = make("login_ip", rateLimit.loginPerIp, rateLimit.window, true);
  const registerIp = make("register_ip", rateLimit.registerPerIp, rateLimit.window);
  const recoveryIp = make("recovery_ip", rateLimit.recoveryPerIp, rateLimit.window);
  const recoveryAddress = make("recovery_addr", rateLimit.recoveryPerAddress, 3600);
  // Failed refreshes per IP; the library's own limit is never hit (refreshBlocked compares).
  const refreshFailures = make("refresh_fail", 1_000_000, rateLimit.window);
  const accountFailures = make("login_fail", 1_000_000, FAILURE_MEMORY_SECONDS);
  const accountLock = make("login_lock", 1, 1);
  const knownClients = make("login_known", 1, KNOWN_CLIENT_SECONDS);

  async function consume(limiter: RateLimiterAbstract, key: string, scope: string): Promise<LimitResult> {
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

  // IPv4 by address, IPv6 by /64: rotating addresses inside one allocation gains nothing.
  const ipKey = rateLimitKeyForIp;

  /**
   * The key an account's back-off counts under for one attempt. A client (IP, or IPv6 /64) that
   * has signed in to this account before counts under its own key: an attacker elsewhere who keeps
   * the account locked does not lock its owner out of their usual network.
   */
  async function backoffKey(email: string, ip: string | null): Promise<string> {
    if (ip) {
      const known = `${ipKey(ip)}|${email}`;
      if (await knownClients.get(known)) return known;
    }
    return email;
  }

  return {
    enabled: rateLimit.enabled,
    /**
     * Before checking a password: whether the account is backing off, then the IP's budget. Past
     * the free attempts, the attempt takes the account's single slot (atomically, in SQLite)
     * BEFORE the password is checked and holds it for the back-off: parallel guesses cannot all
     * slip through the moment a lock ends. A success releases it (loginSucceeded).
     */
    async beforeLogin(ip: string | null, email: string): Promise<LimitResult> {
      if (!rateLimit.enabled) return { ok: true };
      const key = await backoffKey(email, ip);
      const lock = await accountLock.get(key);
      if (lock && lock.consumedPoints >= 1 && lock.msBeforeNext > 0) {
        return { ok: false, retryAfter: Math.max(1, Math.ceil(lock.msBeforeNext / 1000)), scope: "account" };
      }
      const byIp = await consume(loginIp, ipKey(ip), "ip");
      if (!byIp.ok) return byIp;
      // Count this attempt now, atomically (one upsert), as a failure until a success clears it:
      // parallel guesses each get their own number, so a burst is cut off exactly where the same
      // guesses sent one after another would be. Reading the count here and writing it after the
      // hash check let a burst of 25 all through.
      const attempt = (await accountFailures.penalty(key, 1)).consumedPoints;
      const beyond = attempt - rateLimit.loginPerAccount;
      if (beyond > 0) {
        const slot = await consume(accountLock, key, "account");
        if (!slot.ok) return slot;
        await accountLock.block(key, accountBackoffSeconds(beyond));
      }
      return { ok: true };
    },
    /** After a good password: the counts start again, and this client is known to the account. */
    async loginSucceeded(email: string, ip: string | null): Promise<void> {
      if (!rateLimit.enabled) return;
      const keys = ip ? [email, `${ipKey(ip)}|${email}`] : [email];
      for (const key of keys) {
        await accountFailures.delete(key);
        await accountLock.delete(key);
      }
      if (ip) await knownClients.set(`${ipKey(ip)}|${email}`, 1, KNOWN_CLIENT_SECONDS);
    },
    register: (ip: string | null) => consume(registerIp, ipKey(ip), "ip"),
    /** Passkey sign-ins share the per-IP sign-in budget (a passkey needs no account back-off: nothing to guess). */
    passkeySignIn: (ip: string | null) => consume(loginIp, ipKey(ip), "ip"),
    /**
     * Mails on request (reset links, verification resends): per IP per window, and per address
     * per hour, counted alike for addresses with and without an account, so a burst for one
     * address delivers at most RATE_LIMIT_RECOVERY_PER_ADDRESS mails and reveals nothing.
     */
    async recoveryMail(ip: string | null, email: string): Promise<LimitResult> {
      const byIp = await consume(recoveryIp, ipKey(ip), "ip");
      if (!byIp.ok) return byIp;
      return consume(recoveryAddress, email, "address");
    },
    /**
     * Refresh counts failures only (unknown, malformed, revoked or expired tokens): rotating a live
     * session never uses the budget, so junk from one address cannot make every real session
     * behind the same NAT fail its refresh. Over the budget, only failing refreshes get a 429.
     */
    async refreshBlocked(ip: string | null): Promise<LimitResult> {
      if (!rateLimit.enabled) return { ok: true };
      const state = await refreshFailures.get(ipKey(ip));
      if (state && state.consumedPoints >= rateLimit.refreshPerIp) {
        return { ok: false, retryAfter: Math.max(1, Math.ceil(state.msBeforeNext / 1000)), scope: "ip" };
      }
      return { ok: true };
    },
    async refreshFailed(ip: string | null): Promise<void> {
      if (!rateLimit.enabled) return;
      await refreshFailures.penalty(ipKey(ip), 1);
    },
  };
}
