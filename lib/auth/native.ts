import { parseAmr } from "@/lib/auth/amr";
import { isWellFormedCode, verifierMatches } from "@/lib/auth/authorization-code";
import type { AuthContext, IssuedAccess, IssuedRefresh } from "@/lib/auth/context";
import { verifyDpopProof, type DpopError } from "@/lib/auth/dpop";
import type { RequestMeta } from "@/lib/auth/events";
import { hashOpaqueToken } from "@/lib/auth/opaque-token";
import type { Pipeline } from "@/lib/auth/pipeline";
import { isWellFormedRefreshToken, locateRefreshToken } from "@/lib/auth/refresh-token";
import { fail, type Failure, type Result } from "@/lib/auth/results";
import type { RefreshError } from "@/lib/auth/rotation";
import type { createRotation } from "@/lib/auth/rotation";
import type { createSignIn } from "@/lib/auth/sign-in";
import type { SecondFactorProof, TwoFactor } from "@/lib/auth/two-factor";

/** What the token endpoint answers (RFC 6749 §5.1): both tokens in the body, never in cookies. */
export type NativeTokens = {
  access: IssuedAccess;
  refresh: IssuedRefresh;
  tokenType: "Bearer" | "DPoP";
  expiresIn: number;
};

/**
 * Native apps and other clients without cookies: the token endpoint's grants, RFC 7009
 * revocation, and DPoP proofs (RFC 9449). Native families are marked as such, and a family bound
 * to a DPoP key needs a proof from that key for every refresh and every API call.
 */
export function createNative(
  ctx: AuthContext,
  signIn: Pick<ReturnType<typeof createSignIn>, "login">,
  rotation: Pick<ReturnType<typeof createRotation>, "refresh">,
  twoFactor: Pick<TwoFactor, "verifySecondStep">,
  pipeline: Pipeline,
) {
  const { store, clock, config } = ctx;

  /** Verifies a proof for this request and remembers it: a proof is accepted once, on any instance. */
  async function checkDpopProof(
    proof: string,
    request: { method: string; url: string; accessToken?: string },
  ): Promise<Result<{ jkt: string }, DpopError>> {
    const verified = await verifyDpopProof(proof, { ...request, now: clock.now() });
    if (!verified.ok) return verified;
    if (!(await store.rememberDpopProof(verified.replayId, verified.replayUntil))) return fail("dpop_replayed");
    return { ok: true, jkt: verified.jkt };
  }

  const tokensOf = (access: IssuedAccess, refresh: IssuedRefresh, dpopJkt: string | null): NativeTokens => ({
    access,
    refresh,
    tokenType: dpopJkt ? "DPoP" : "Bearer",
    expiresIn: config.accessTokenTtl,
  });

  /**
   * grant_type=password: a new native family, bound to the proof's key when there is one. An
   * account with two-step on gets no tokens: `mfa_required` with an mfa_token for the second step
   * (mfaGrant), which must come from the same key.
   */
  async function passwordGrant(
    input: { email: string; password: string },
    meta: RequestMeta,
    dpopJkt: string | null,
  ): Promise<
    | Result<NativeTokens, "invalid_credentials" | "email_unverified" | "account_disabled">
    | (Failure<"mfa_required"> & { mfaToken: string; expiresIn: number })
  > {
    const session = await signIn.login(input, meta, { kind: "native", dpopJkt });
    return nativeAnswer(session, dpopJkt);
  }

  /** The token endpoint's answer to what the pipeline decided. */
  function nativeAnswer(
    session: Awaited<ReturnType<typeof signIn.login>>,
    dpopJkt: string | null,
  ):
    | Result<NativeTokens, "invalid_credentials" | "email_unverified" | "account_disabled">
    | (Failure<"mfa_required"> & { mfaToken: string; expiresIn: number }) {
    if (session.ok) return { ok: true, ...tokensOf(session.access, session.refresh, dpopJkt) };
    if (session.error === "second_factor_required") {
      const { token, expiresAt } = session.pending;
      return { ...fail("mfa_required"), mfaToken: token, expiresIn: Math.floor((expiresAt - clock.now()) / 1000) };
    }
    return fail(session.error);
  }

  /** The second step for an app (mfa_token from passwordGrant, and a code or recovery code). */
  async function mfaGrant(
    mfaToken: string,
    proof: SecondFactorProof,
    meta: RequestMeta,
    dpopJkt: string | null,
  ): Promise<
    Result<
      NativeTokens,
      "invalid_code" | "expired" | "too_many_attempts" | "wrong_client" | "account_disabled" | "email_unverified"
    >
  > {
    const done = await twoFactor.verifySecondStep(mfaToken, proof, meta, { kind: "native", dpopJkt });
    if (done.ok) return { ok: true, ...tokensOf(done.access, done.refresh, dpopJkt) };
    // Both factors were proven: a second factor cannot be owed again.
    if (done.error === "second_factor_required") return fail("expired");
    return fail(done.error);
  }

  /**
   * grant_type=authorization_code (RFC 8252, with PKCE): the code from the browser, exchanged once
   * by the app it was issued to, on the redirect URI it was sent to, with the verifier of its
   * challenge and, when the app named a DPoP key at the authorization request, a proof from that
   * key. The session starts through the pipeline like every other, with the amr and auth_time of
   * the browser sign-in that vouched for it. A code presented again after its use ends the session
   * it started (RFC 6749 §4.1.2): someone else has seen it.
   */
  async function authorizationCodeGrant(
    input: { code: string; clientId: string; redirectUri: string; codeVerifier: string },
    meta: RequestMeta,
    dpopJkt: string | null,
  ): Promise<Result<NativeTokens, "invalid_grant" | "dpop_mismatch" | "second_factor_required">> {
    if (!isWellFormedCode(input.code)) return fail("invalid_grant");
    const row = await store.authorizationCode(hashOpaqueToken(input.code));
    if (!row) return fail("invalid_grant");
    const now = clock.now();
    if (row.usedAt !== null) {
      await codeReused(row.id, row.userId, meta, now);
      return fail("invalid_grant");
    }
    // Checked before the code is used up: a wrong guess at the verifier or client burns nothing
    // for the app that holds the real ones (and the code dies within the minute anyway).
    if (
      row.expiresAt <= now ||
      row.clientId !== input.clientId ||
      row.redirectUri !== input.redirectUri ||
      !verifierMatches(input.codeVerifier, row.codeChallenge)
    )
      return fail("invalid_grant");
    if (row.dpopJkt !== null && row.dpopJkt !== dpopJkt) return fail("dpop_mismatch");
    if (!(await store.useAuthorizationCode({ id: row.id, now }))) {
      // Another exchange of the same code got there first, this very moment: a second use.
      await codeReused(row.id, row.userId, meta, now);
      return fail("invalid_grant");
    }
    const user = await store.userById(row.userId);
    if (!user) return fail("invalid_grant");
    const started = await pipeline.completeSignIn({
      user,
      methods: parseAmr(row.amr),
      authTime: row.authTime,
      provider: row.provider,
      meta,
      client: { kind: "native", dpopJkt, nativeClientId: row.clientId },
      detail: { via: "authorization_code", nativeClient: row.clientId },
    });
    // An account disabled since, or a browser session that signed in with one factor before
    // two-step was turned on (the pipeline owes a second factor): no session for the app either.
    if (!started.ok) return fail(started.error === "second_factor_required" ? started.error : "invalid_grant");
    const familyId = started.access.claims.sid;
    const { replayed } = await store.authorizationCodeStarted({ id: row.id, familyId });
    if (replayed) {
      await endCodeFamily(familyId, row.userId, meta);
      return fail("invalid_grant");
    }
    return { ok: true, ...tokensOf(started.access, started.refresh, dpopJkt) };
  }

  /** A used code presented again: the family it started ends (now, or when its exchange finishes). */
  async function codeReused(codeId: string, userId: string, meta: RequestMeta, now: number) {
    const { familyId } = await store.replayAuthorizationCode({ id: codeId, now });
    if (familyId) await endCodeFamily(familyId, userId, meta);
    else await ctx.record("authorization_code_reused", meta, { userId }, { sessionEnded: false });
    ctx.alert("authorization_code_reused", { userId });
  }

  async function endCodeFamily(familyId: string, userId: string, meta: RequestMeta) {
    const now = clock.now();
    const event = ctx.event("authorization_code_reused", meta, { userId, familyId }, { sessionEnded: true }, now);
    await store.endFamily({ familyId, userId, now, reason: "authorization_code_reused", event });
  }

  /** grant_type=refresh_token: rotation exactly as for browsers, but only for native families. */
  async function refreshGrant(
    token: string,
    meta: RequestMeta,
    dpopJkt: string | null,
  ): Promise<Result<NativeTokens, RefreshError>> {
    const rotated = await rotation.refresh(token, meta, { kind: "native", dpopJkt });
    if (!rotated.ok) return rotated;
    // Inside the grace window there is no new refresh token (the family does not fork): the
    // client keeps the one it presented, which the answer repeats (RFC 6749 §6 allows that).
    const refresh = rotated.refresh ?? { token, maxAge: 0 };
    return { ok: true, ...tokensOf(rotated.access, refresh, dpopJkt) };
  }

  /**
   * RFC 7009: ends the family of a refresh token; "ok" for unknown and dead tokens too. A family
   * bound to a DPoP key is ended only with a proof from that key (`dpop`: the request's proof and
   * URL), as every refresh of it needs one: a stolen bound token cannot even sign its owner out.
   */
  async function revokeRefreshToken(
    token: string,
    meta: RequestMeta,
    dpop: { proof: string; url: string } | null = null,
  ): Promise<Result<object, "dpop_mismatch">> {
    if (!isWellFormedRefreshToken(token)) return { ok: true };
    const located = await locateRefreshToken(token, store, ctx.sealer);
    const row = located && (await store.familyById(located.familyId));
    if (!row) return { ok: true };
    if (row.dpopJkt !== null) {
      const proof = dpop && (await checkDpopProof(dpop.proof, { method: "POST", url: dpop.url }));
      if (!proof?.ok || proof.jkt !== row.dpopJkt) return fail("dpop_mismatch");
    }
    const now = clock.now();
    const event = ctx.event(
      "sign_out",
      meta,
      { userId: row.userId, familyId: row.id },
      { via: "revocation_endpoint" },
      now,
    );
    await store.endFamily({ familyId: row.id, userId: row.userId, now, reason: "revoked_by_client", event });
    return { ok: true };
  }

  return { checkDpopProof, passwordGrant, mfaGrant, authorizationCodeGrant, refreshGrant, revokeRefreshToken };
}
