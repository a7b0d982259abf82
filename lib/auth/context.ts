import { signAccessToken, type AccessClaims } from "@/lib/auth/access-token";
import type { Clock, Random } from "@/lib/auth/clock";
import type { EventType, RequestMeta } from "@/lib/auth/events";
import type { KeySet } from "@/lib/auth/keys";
import type { ClientKind, NewEvent, Store, UserRow } from "@/lib/auth/store";
import type { Config } from "@/lib/config";
import type { OutgoingMail } from "@/lib/mail/templates";

export type Mailer = { send(mail: OutgoingMail): void };

/** What the auth core is built from: storage, keys, settings, and injected time and randomness. */
export type AuthDeps = {
  store: Store;
  keys: KeySet;
  config: Pick<
    Config,
    | "issuer"
    | "audience"
    | "accessTokenTtl"
    | "refreshTokenTtl"
    | "sessionMaxAge"
    | "refreshReuseGrace"
    | "appUrl"
    | "emailVerification"
    | "passwordResetTtl"
    | "emailVerificationTtl"
  >;
  /** Sends mail off the request path (queued, retried); the core never waits for delivery. */
  mailer: Mailer;
  clock: Clock;
  random: Random;
  /** Called for security-relevant events besides the audit table (e.g. the server log). */
  onSecurityEvent?: (type: EventType, detail: Record<string, unknown>) => void;
};

/** A freshly minted access token and its claims (for the cookie's Max-Age and the session state). */
export type IssuedAccess = { token: string; claims: AccessClaims };
/** A freshly minted refresh token and how long its cookie may live. */
export type IssuedRefresh = { token: string; maxAge: number };

/** Who a session is for: a browser (cookies), or a native app, optionally DPoP-bound to a key. */
export type Client = { kind: ClientKind; dpopJkt: string | null };
export const BROWSER: Client = { kind: "browser", dpopJkt: null };

/** The helpers every part of the core shares. */
export function createContext(deps: AuthDeps) {
  const { config, clock, random, keys, store } = deps;
  const tokenSettings = { issuer: config.issuer, audience: config.audience, accessTokenTtl: config.accessTokenTtl };

  function event(
    type: EventType,
    meta: RequestMeta | null,
    ids: { userId?: string | null; familyId?: string | null },
    detail: Record<string, unknown> = {},
    at = clock.now(),
  ): NewEvent {
    return {
      type,
      at,
      userId: ids.userId ?? null,
      familyId: ids.familyId ?? null,
      ip: meta?.ip ?? null,
      userAgent: meta?.userAgent?.slice(0, 512) ?? null,
      detail: JSON.stringify(detail),
    };
  }

  return {
    ...deps,
    tokenSettings,
    idleMs: config.refreshTokenTtl * 1000,
    graceMs: config.refreshReuseGrace * 1000,
    event,
    /** A line in the server log besides the audit row, for events an operator must see. Called
     * after the store committed (never from inside a transaction's decision). */
    alert: (type: EventType, detail: Record<string, unknown>) => deps.onSecurityEvent?.(type, detail),
    /** Records an audit event on its own (events that go with a write are passed to the store). */
    record: (...args: Parameters<typeof event>) => store.insertEvent(event(...args)),
    mintAccess(
      user: Pick<UserRow, "id" | "role" | "tokenVersion">,
      familyId: string,
      dpopJkt: string | null = null,
    ): Promise<IssuedAccess> {
      return signAccessToken(
        { userId: user.id, familyId, tokenVersion: user.tokenVersion, role: user.role, dpopJkt },
        keys,
        tokenSettings,
        clock.now(),
        random.uuid(),
      );
    },
    /** The refresh cookie never outlives its family: min(idle lifetime, time to absolute expiry). */
    refreshMaxAge(now: number, absoluteExpiresAt: number) {
      return Math.max(0, Math.min(config.refreshTokenTtl, Math.floor((absoluteExpiresAt - now) / 1000)));
    },
    /** A link into the app, e.g. link("/reset-password", token) → …/reset-password#token=… */
    link(path: string, fragmentToken?: string) {
      const url = new URL(path, config.appUrl);
      if (fragmentToken) url.hash = `token=${fragmentToken}`;
      return url.toString();
    },
    /** An access token stays deny-listed until it would have expired anyway. */
    denyEntry: (claims: Pick<AccessClaims, "jti" | "exp">) => ({ jti: claims.jti, expiresAt: claims.exp * 1000 }),
  };
}

export type AuthContext = ReturnType<typeof createContext>;
