import type { AccessClaims } from "@/lib/auth/access-token";
import type { AuthContext } from "@/lib/auth/context";
import type { RequestMeta } from "@/lib/auth/events";
import { NO_PASSWORD } from "@/lib/auth/passwords";
import type { Pipeline, SignInOutcome } from "@/lib/auth/pipeline";
import { fail, type Result } from "@/lib/auth/results";
import type { ProviderId, UserRow } from "@/lib/auth/store";
import { normaliseEmail } from "@/lib/auth/users";

/** Who a provider says the person is, after every protocol check passed (lib/providers). */
export type ProviderIdentity = {
  provider: ProviderId;
  /** What the person knows it as ("GitHub", or AUTH_OIDC_NAME): for the notice mail. */
  providerName: string;
  /** The provider's stable id: the identity is (provider, subject), never the email. */
  subject: string;
  email: string | null;
  /** Only when the provider said so explicitly (OpenID `email_verified: true`, GitHub `verified`). */
  emailVerified: boolean;
  name: string | null;
};

/** A connected account as its owner sees it. */
export type ConnectedAccount = {
  provider: ProviderId;
  email: string | null;
  createdAt: number;
  lastUsedAt: number | null;
};

/**
 * Sign in with a provider, and connecting providers to an account. The rules (see
 * docs/decisions/provider-linking.md):
 * - a known identity signs in to its account, through the pipeline (a second factor if owed);
 * - an unknown identity whose verified address matches no account creates one (no password until
 *   "Forgot password?"), its address verified only if the provider verified it;
 * - an unknown identity whose address matches an account is linked automatically only when the
 *   provider verified the address AND the account's address is verified; otherwise the person must
 *   sign in to that account and connect the provider there (no pre-registration takeover);
 * - connecting needs a recent sign-in and an identity not linked to anyone else; disconnecting
 *   needs a recent sign-in and never removes the last way to sign in.
 */
export function createProviders(ctx: AuthContext, pipeline: Pipeline) {
  const { store, clock, random } = ctx;

  const accountRow = (identity: ProviderIdentity, userId: string, now: number) => ({
    provider: identity.provider,
    subject: identity.subject,
    userId,
    email: identity.email,
    createdAt: now,
  });

  /** The owner hears of every new way into the account (a notice: never dropped by the budget). */
  const connectedNotice = (to: string, identity: ProviderIdentity) =>
    ctx.mail(to, {
      kind: "provider_connected",
      providerName: identity.providerName,
      securityLink: ctx.link("/account/security"),
    });

  async function signIn(
    identity: ProviderIdentity,
    meta: RequestMeta,
    retried = false,
  ): Promise<SignInOutcome | Result<never, "link_required" | "no_verified_email">> {
    const now = clock.now();
    const complete = (user: UserRow, created: boolean) =>
      pipeline.completeSignIn({
        user,
        methods: ["fed"],
        provider: identity.provider,
        meta,
        event: created ? "register" : "sign_in",
        detail: { via: identity.provider },
      });
    const known = await store.accountByProvider(identity.provider, identity.subject);
    if (known) {
      const user = await store.userById(known.userId);
      if (!user) return fail("link_required");
      await store.touchAccount({ provider: identity.provider, subject: identity.subject, now });
      return complete(user, false);
    }
    // A new identity needs an address to be an account at all (a provider that gives none, or an
    // unverified one for a new account, cannot make one).
    if (!identity.email) return fail("no_verified_email");
    const email = normaliseEmail(identity.email);
    const existing = await store.userByEmail(email);
    if (existing) {
      // The pre-registration takeover stops here: both sides must have verified the address.
      if (!identity.emailVerified || existing.emailVerifiedAt === null) {
        await ctx.record(
          "provider_link_refused",
          meta,
          { userId: existing.id },
          {
            provider: identity.provider,
            providerVerified: identity.emailVerified,
            accountVerified: existing.emailVerifiedAt !== null,
          },
        );
        return fail("link_required");
      }
      const linked = await store.linkAccount({
        account: accountRow(identity, existing.id, now),
        event: ctx.event(
          "provider_linked",
          meta,
          { userId: existing.id },
          { provider: identity.provider, automatic: true },
          now,
        ),
        mail: connectedNotice(existing.email, identity),
      });
      if (!linked) return fail("link_required");
      ctx.mailQueued();
      return complete(existing, false);
    }
    if (!identity.emailVerified) return fail("no_verified_email");
    const userId = random.uuid();
    const created = await store.createUserWithAccount({
      user: {
        id: userId,
        email,
        name: identity.name?.trim().slice(0, 100) || null,
        passwordHash: NO_PASSWORD,
        role: "user",
        emailVerifiedAt: now,
        createdAt: now,
      },
      account: accountRow(identity, userId, now),
      event: ctx.event("provider_linked", meta, { userId }, { provider: identity.provider, newAccount: true }, now),
    });
    // A race with another sign-up for the same address or identity: once more, it is known now.
    if (!created.ok) return retried ? fail("link_required") : signIn(identity, meta, true);
    const user = await store.userById(userId);
    if (!user) return fail("link_required");
    return complete(user, true);
  }

  /**
   * Connects an identity to a signed-in account. `session` is what the flow's start saw (the
   * callback comes back cross-site, without the SameSite=Strict session cookies): the family must
   * still be live and the user's.
   */
  async function connect(
    session: { userId: string; familyId: string },
    identity: ProviderIdentity,
    meta: RequestMeta,
  ): Promise<Result<object, "session_ended" | "linked_elsewhere" | "already_connected">> {
    const family = await store.familyById(session.familyId);
    if (!family || family.userId !== session.userId || family.revokedAt !== null) return fail("session_ended");
    const known = await store.accountByProvider(identity.provider, identity.subject);
    if (known) return fail(known.userId === session.userId ? "already_connected" : "linked_elsewhere");
    if ((await store.accountsOf(session.userId)).some((a) => a.provider === identity.provider))
      return fail("already_connected");
    const now = clock.now();
    const user = await store.userById(session.userId);
    if (!user) return fail("session_ended");
    const linked = await store.linkAccount({
      account: accountRow(identity, session.userId, now),
      event: ctx.event("provider_linked", meta, session, { provider: identity.provider }, now),
      mail: connectedNotice(user.email, identity),
    });
    if (!linked) return fail("linked_elsewhere");
    ctx.mailQueued();
    return { ok: true };
  }

  async function disconnect(
    claims: AccessClaims,
    provider: ProviderId,
    meta: RequestMeta,
  ): Promise<Result<object, "reauthentication_required" | "not_connected" | "last_sign_in_method">> {
    if (!ctx.recentlyAuthenticated(claims)) return fail("reauthentication_required");
    const user = await store.userById(claims.sub);
    if (!user) return fail("not_connected");
    const linked = await store.accountsOf(user.id);
    if (!linked.some((a) => a.provider === provider)) return fail("not_connected");
    const otherWays =
      (user.passwordHash !== NO_PASSWORD ? 1 : 0) +
      (await store.passkeysOf(user.id)).length +
      linked.filter((a) => a.provider !== provider).length;
    if (otherWays === 0) return fail("last_sign_in_method");
    const removed = await store.unlinkAccount({
      provider,
      userId: user.id,
      event: ctx.event("provider_unlinked", meta, { userId: user.id, familyId: claims.sid }, { provider }),
    });
    return removed ? { ok: true } : fail("not_connected");
  }

  async function connectedAccounts(userId: string): Promise<ConnectedAccount[]> {
    return (await store.accountsOf(userId)).map(({ provider, email, createdAt, lastUsedAt }) => ({
      provider,
      email,
      createdAt,
      lastUsedAt,
    }));
  }

  return {
    signInWithProvider: signIn,
    connectProvider: connect,
    disconnectProvider: disconnect,
    connectedAccounts,
  };
}
