import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import type { AccessClaims } from "@/lib/auth/access-token";
import { amrOf, type Amr } from "@/lib/auth/amr";
import type { AuthContext, IssuedAccess } from "@/lib/auth/context";
import type { RequestMeta } from "@/lib/auth/events";
import type { Passkeys } from "@/lib/auth/passkeys";
import { verifyPassword } from "@/lib/auth/passwords";
import { fail, type Result } from "@/lib/auth/results";
import type { TwoFactor } from "@/lib/auth/two-factor";
import { toPublicUser, type PublicUser } from "@/lib/auth/users";

/** What confirms "it's you" again: the password, a code (or recovery code), or a passkey. */
export type ReauthenticationProof =
  | { password: string }
  | { code: string }
  | { recoveryCode: string }
  | { credential: AuthenticationResponseJSON; challengeToken: string | undefined };

/**
 * Step-up: sensitive actions (passkeys, two-step, connected providers, administration) need an
 * authentication within STEP_UP_MAX_AGE of now (the access token's `auth_time`, checked by each
 * action with ctx.recentlyAuthenticated). Confirming again updates this family's auth_time (and
 * amr) in the database and mints a fresh access token; the family and its refresh token stay.
 */
export function createStepUp(
  ctx: AuthContext,
  twoFactor: Pick<TwoFactor, "checkSecondFactor">,
  passkeys: Pick<Passkeys, "checkPasskeyReauthentication">,
) {
  const { store, clock } = ctx;

  async function reauthenticate(
    claims: AccessClaims,
    proof: ReauthenticationProof,
    meta: RequestMeta,
  ): Promise<
    Result<
      { user: PublicUser; access: IssuedAccess; sessionStartedAt: number },
      "invalid_credentials" | "session_ended"
    >
  > {
    const user = await store.userById(claims.sub);
    if (!user) return fail("session_ended");
    let methods: Amr[] | null = null;
    if ("password" in proof) {
      if (await verifyPassword(user.passwordHash, proof.password)) methods = ["pwd"];
    } else if ("credential" in proof) {
      if (await passkeys.checkPasskeyReauthentication(claims, proof.credential, proof.challengeToken))
        methods = ["hwk", "user"];
    } else if (await twoFactor.checkSecondFactor(user.id, user.email, proof)) {
      methods = ["otp"];
    }
    const ids = { userId: user.id, familyId: claims.sid };
    if (!methods) {
      await ctx.record("reauthentication_failed", meta, ids, { with: Object.keys(proof)[0] });
      return fail("invalid_credentials");
    }
    const now = clock.now();
    const amr = amrOf([...claims.amr, ...methods]);
    const family = await store.reauthenticate({
      familyId: claims.sid,
      userId: user.id,
      now,
      amr: JSON.stringify(amr),
      event: ctx.event("reauthenticated", meta, ids, { with: methods }, now),
    });
    if (!family) return fail("session_ended");
    return {
      ok: true,
      user: toPublicUser(user),
      access: await ctx.mintAccess(user, { id: family.id, dpopJkt: family.dpopJkt, amr, authTime: now }),
      sessionStartedAt: family.createdAt,
    };
  }

  return { reauthenticate };
}
