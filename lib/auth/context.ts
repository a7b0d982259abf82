import { createHash } from "node:crypto";
import { signAccessToken, type AccessClaims } from "@/lib/auth/access-token";
import type { Amr } from "@/lib/auth/amr";
import type { Clock, Random } from "@/lib/auth/clock";
import type { EventType, RequestMeta } from "@/lib/auth/events";
import type { KeySet } from "@/lib/auth/keys";
import { NOTICE_KINDS, mailSealContext, type MailIntent, type MailKind, type MailPayload } from "@/lib/auth/mail";
import type { Sealer } from "@/lib/auth/sealed";
import type { ClientKind, NewEvent, NewMail, Store, UserRow } from "@/lib/auth/store";
import { normaliseEmail } from "@/lib/auth/users";
import type { Config } from "@/lib/config";

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
    | "rateLimit"
    | "appName"
    | "appOrigin"
    | "stepUpMaxAge"
    | "webauthn"
    | "providers"
    | "nativeClients"
  >;
  /** Seals what must be stored yet read back (a queued mail's address and link): AUTH_SECRETS_KEY. */
  sealer: Sealer;
  /** Told after a mail was queued (committed), so a sender nearby can send it at once. */
  onMailQueued?: () => void;
  clock: Clock;
  random: Random;
  /** Called for security-relevant events besides the audit table (e.g. the server log). */
  onSecurityEvent?: (type: EventType, detail: Record<string, unknown>) => void;
};

/** A freshly minted access token and its claims (for the cookie's Max-Age and the session state). */
export type IssuedAccess = { token: string; claims: AccessClaims };
/** A freshly minted refresh token and how long its cookie may live. */
export type IssuedRefresh = { token: string; maxAge: number };

/** What an access token says of its family: which one, bound to which key, how and when the user authenticated. */
export type MintedFamily = { id: string; dpopJkt: string | null; amr: Amr[]; authTime: number };

/**
 * Who a session is for: a browser (cookies), or a native app, optionally DPoP-bound to a key and,
 * when it signed in through the browser, named by its client_id (AUTH_NATIVE_CLIENTS).
 */
export type Client = { kind: ClientKind; dpopJkt: string | null; nativeClientId?: string | null };
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

  /** The per-address mail budget (AUTH_RATE_LIMIT=off lifts it, like every other limit). */
  const mailBudget = config.rateLimit.enabled ? config.rateLimit.mailPerAddress : null;

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
    /** An access token for this user in this family, carrying how and when they authenticated. */
    mintAccess(user: Pick<UserRow, "id" | "role" | "tokenVersion">, family: MintedFamily): Promise<IssuedAccess> {
      return signAccessToken(
        {
          userId: user.id,
          familyId: family.id,
          tokenVersion: user.tokenVersion,
          role: user.role,
          dpopJkt: family.dpopJkt,
          amr: family.amr,
          authTime: family.authTime,
        },
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
    /** A mail for the queue: the address and content sealed for this row only. */
    mail(to: string, intent: MailIntent, now = clock.now()): NewMail {
      const id = random.uuid();
      const payload: MailPayload = { to, intent };
      return {
        id,
        kind: intent.kind,
        recipientKey: createHash("sha256").update(normaliseEmail(to)).digest("hex"),
        payload: deps.sealer.seal(JSON.stringify(payload), mailSealContext(id)),
        now,
        budget: NOTICE_KINDS.has(intent.kind) ? null : mailBudget,
      };
    },
    /** After a unit that queued mail committed: a sender in this process may send it now. */
    mailQueued: () => deps.onMailQueued?.(),
    /** A mail was queued, or dropped over its address's budget (recorded, never told to the caller). */
    async afterMail(queued: boolean, kind: MailKind, meta: RequestMeta | null, userId: string) {
      if (queued) deps.onMailQueued?.();
      else await store.insertEvent(event("mail_suppressed", meta, { userId }, { kind }));
    },
    /**
     * Step-up: whether this access token's family authenticated recently enough for a sensitive
     * action (auth_time within STEP_UP_MAX_AGE). Seconds on both sides: auth_time is in seconds.
     */
    recentlyAuthenticated: (claims: Pick<AccessClaims, "auth_time">) =>
      Math.floor(clock.now() / 1000) - claims.auth_time <= config.stepUpMaxAge,
    /** An access token stays deny-listed until it would have expired anyway. */
    denyEntry: (claims: Pick<AccessClaims, "jti" | "exp">) => ({ jti: claims.jti, expiresAt: claims.exp * 1000 }),
  };
}

export type AuthContext = ReturnType<typeof createContext>;
