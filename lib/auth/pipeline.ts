import { amrOf, isMultiFactor, type Amr } from "@/lib/auth/amr";
import { BROWSER, type AuthContext, type Client, type IssuedAccess, type IssuedRefresh } from "@/lib/auth/context";
import type { EventType, RequestMeta } from "@/lib/auth/events";
import { hashOpaqueToken, newOpaqueToken } from "@/lib/auth/opaque-token";
import { issueRefreshToken } from "@/lib/auth/refresh-token";
import { fail, type Failure, type Result } from "@/lib/auth/results";
import type { ProviderId, UserRow } from "@/lib/auth/store";
import { toPublicUser, type PublicUser } from "@/lib/auth/users";

/** What a new session hands to the HTTP layer: the user, both tokens, when it started. */
export type NewSession = { user: PublicUser; access: IssuedAccess; refresh: IssuedRefresh; sessionStartedAt: number };

/** A sign-in that still owes a second factor: its token (the browser's cookie, the app's mfa_token). */
export type PendingSecondFactor = { token: string; expiresAt: number };

/** How long a pending sign-in lives, and how many codes it may try. */
const PENDING_SIGN_IN_MS = 5 * 60 * 1000;
export const PENDING_SIGN_IN_ATTEMPTS = 5;

/** One way of signing in having succeeded: who, and what was proven. */
export type SignInAttempt = {
  user: UserRow;
  /** What this attempt proved, RFC 8176 values: ["pwd"], ["hwk", "user"], ["fed"], ["pwd", "otp"]. */
  methods: Amr[];
  /** The provider of a provider sign-in (with "fed"): kept with the session ("via GitHub"). */
  provider?: ProviderId | null;
  meta: RequestMeta;
  client?: Client;
  /** The audit event of the session it starts ("sign_in", or "register" for a new account). */
  event?: EventType;
  /** Small JSON for the event (how: "password", "passkey", "github", "recovery_code", …). */
  detail?: Record<string, unknown>;
  /**
   * When `methods` were proven, if not now: an app's code carries the time the browser session
   * signed in (RFC 8252), and the session must not look fresher than that to step-up.
   */
  authTime?: number;
};

/**
 * A session, or no session yet: a second factor is owed (`second_factor_required`, with what the
 * second step needs), the account is disabled, or its address must be verified first.
 */
export type SignInOutcome = Result<NewSession, "account_disabled" | "email_unverified"> | SecondFactorRequired;

type SecondFactorRequired = Failure<"second_factor_required"> & { pending: PendingSecondFactor };

/**
 * The one sign-in pipeline. Every way a session starts (password, registration, passkey, the
 * second step, a verification link, the token endpoint's password and authorization-code grants,
 * a provider) ends here, and only here does a family start: this decides what the attempt still
 * owes (an enabled account, a verified address where that is required, a second factor when
 * two-step is on and one factor was used) and otherwise starts the family with `amr` and
 * `auth_time`. A caller cannot skip a step: there
 * is no other way to start a family.
 */
export function createPipeline(ctx: AuthContext) {
  const { store, clock, random, config } = ctx;

  async function completeSignIn(attempt: SignInAttempt): Promise<SignInOutcome> {
    const { user, meta } = attempt;
    const client = attempt.client ?? BROWSER;
    if (user.disabledAt !== null) {
      await ctx.record("sign_in_failed", meta, { userId: user.id }, { reason: "account_disabled" });
      return fail("account_disabled");
    }
    // Only ever told to someone who proved a credential: it reveals nothing to a guesser.
    if (config.emailVerification === "required" && user.emailVerifiedAt === null) {
      await ctx.record("sign_in_failed", meta, { userId: user.id }, { reason: "email_unverified" });
      return fail("email_unverified");
    }
    const methods = amrOf(attempt.methods);
    if (!isMultiFactor(methods) && (await store.twoFactorOf(user.id))?.enabledAt) {
      return {
        ...fail("second_factor_required"),
        pending: await startPending(user, methods, attempt.provider ?? null, client, meta),
      };
    }
    return { ok: true, ...(await startSession(user, methods, client, meta, attempt)) };
  }

  /** No session and no tokens yet: a short-lived, single-use record of what was proven so far. */
  async function startPending(
    user: UserRow,
    amr: Amr[],
    provider: ProviderId | null,
    client: Client,
    meta: RequestMeta,
  ) {
    const token = newOpaqueToken(random);
    const now = clock.now();
    const expiresAt = now + PENDING_SIGN_IN_MS;
    await store.insertPendingSignIn({
      id: random.uuid(),
      tokenHash: hashOpaqueToken(token),
      userId: user.id,
      amr: JSON.stringify(amr),
      provider,
      client: client.kind,
      dpopJkt: client.dpopJkt,
      createdAt: now,
      expiresAt,
    });
    await ctx.record("second_factor_required", meta, { userId: user.id }, { amr });
    return { token, expiresAt };
  }

  /** A new family with its first refresh token, and an access token for it. */
  async function startSession(
    user: UserRow,
    amr: Amr[],
    client: Client,
    meta: RequestMeta,
    attempt: SignInAttempt,
  ): Promise<NewSession> {
    const now = clock.now();
    const familyId = random.uuid();
    const refreshToken = issueRefreshToken({ id: familyId, generation: 0 }, random, ctx.sealer);
    const absoluteExpiresAt = now + config.sessionMaxAge * 1000;
    const authTime = Math.min(attempt.authTime ?? now, now);
    const family = { id: familyId, dpopJkt: client.dpopJkt, amr, authTime };
    await store.startFamily(
      {
        id: familyId,
        userId: user.id,
        now,
        absoluteExpiresAt,
        userAgent: meta.userAgent?.slice(0, 512) ?? null,
        ip: meta.ip,
        client: client.kind,
        dpopJkt: client.dpopJkt,
        amr: JSON.stringify(amr),
        authTime,
        provider: attempt.provider ?? null,
        nativeClientId: client.nativeClientId ?? null,
        generation: 0,
        tokenHash: refreshToken.hash,
      },
      ctx.event(
        attempt.event ?? "sign_in",
        meta,
        { userId: user.id, familyId },
        {
          amr,
          ...attempt.detail,
          ...(client.kind === "native" ? { client: "native", dpop: !!client.dpopJkt } : {}),
        },
        now,
      ),
    );
    return {
      user: toPublicUser(user),
      access: await ctx.mintAccess(user, family),
      refresh: { token: refreshToken.token, maxAge: ctx.refreshMaxAge(now, absoluteExpiresAt) },
      sessionStartedAt: now,
    };
  }

  return { completeSignIn };
}

export type Pipeline = ReturnType<typeof createPipeline>;
