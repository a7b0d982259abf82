import { z } from "zod";
import type { NativeTokens } from "@/lib/auth/native";
import { methodNotAllowed, json, rateLimited, readJson, route } from "@/lib/server/http";
import { dpopOf, oauthError } from "@/lib/server/oauth";
import { normaliseEmail } from "@/lib/auth";
import { isWellFormedRefreshToken } from "@/lib/auth/refresh-token";

/** An extension grant (RFC 6749 §4.5, an absolute URI): the second step for an app. */
const MFA_GRANT = "urn:auth-starter:params:oauth:grant-type:mfa";

const body = z.discriminatedUnion("grant_type", [
  z.strictObject({
    grant_type: z.literal("password"),
    email: z.string().trim().max(254).email(),
    password: z.string().min(1).max(256),
  }),
  z.strictObject({ grant_type: z.literal("refresh_token"), refresh_token: z.string().min(1).max(256) }),
  // RFC 8252: the code from the browser, with the PKCE verifier (RFC 7636 §4.5).
  z.strictObject({
    grant_type: z.literal("authorization_code"),
    code: z.string().min(1).max(256),
    redirect_uri: z.string().min(1).max(512),
    client_id: z.string().min(1).max(64),
    code_verifier: z.string().min(1).max(128),
  }),
  // The second step of a password grant for an account with two-step on (mfa_required's mfa_token).
  z.strictObject({
    grant_type: z.literal(MFA_GRANT),
    mfa_token: z.string().min(1).max(256),
    otp: z.string().min(1).max(16).optional(),
    recovery_code: z.string().min(1).max(40).optional(),
  }),
]);

/** The password grant and its second step exist only with AUTH_PASSWORD_GRANT=on (RFC 9700 §2.4). */
const grantsOf = (passwordGrant: boolean) =>
  new Set<string>(
    passwordGrant
      ? ["authorization_code", "refresh_token", "password", MFA_GRANT]
      : ["authorization_code", "refresh_token"],
  );

function tokenResponse(tokens: NativeTokens) {
  return json(
    {
      access_token: tokens.access.token,
      token_type: tokens.tokenType,
      expires_in: tokens.expiresIn,
      refresh_token: tokens.refresh.token,
    },
    200,
    { Pragma: "no-cache" },
  );
}

/**
 * The token endpoint for native apps (RFC 6749 authorization_code and refresh_token grants, and
 * the password grant when AUTH_PASSWORD_GRANT=on; JSON bodies):
 * tokens in the body, never cookies, and no cookie is read, so there is no CSRF surface. A
 * `DPoP` proof binds the session to the app's key (RFC 9449). Sign-in's limits apply: the
 * per-account back-off and per-IP budget are shared with POST /api/auth/login.
 */
export const POST = route({ stateChanging: false, oauth: true }, async (req, { rt, meta }) => {
  const raw = await readJson(req, z.record(z.string(), z.unknown()));
  // An unknown grant is told apart from a malformed request (RFC 6749 §5.2).
  const grants = grantsOf(rt.config.passwordGrant);
  if (typeof raw.grant_type === "string" && !grants.has(raw.grant_type)) {
    return oauthError(400, "unsupported_grant_type", `Use grant_type ${[...grants].join(", ")}.`);
  }
  const parsed = body.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return oauthError(
      400,
      "invalid_request",
      first ? `${first.path.join(".") || "body"}: ${first.message}` : "Invalid request.",
    );
  }
  const input = parsed.data;
  // The cheap refusal first: a refresh token that cannot be one of ours costs no proof check (it
  // is still refused, and counted, below).
  const malformed = input.grant_type === "refresh_token" && !isWellFormedRefreshToken(input.refresh_token);
  const dpop = malformed ? ({ present: false } as const) : await dpopOf(req, rt);
  if (dpop.present && !dpop.ok)
    return oauthError(400, "invalid_dpop_proof", "The DPoP proof is not valid for this request.");
  const jkt = dpop.present && dpop.ok ? dpop.jkt : null;

  if (input.grant_type === "password") {
    const email = normaliseEmail(input.email);
    const limit = await rt.limits.beforeLogin(meta.ip, email);
    if (!limit.ok) throw rateLimited(limit);
    const result = await rt.auth.passwordGrant({ email, password: input.password }, meta, jkt);
    if (!result.ok) {
      if (result.error === "mfa_required") {
        // No tokens: the second step comes first, from the same app (and DPoP key).
        return json(
          {
            error: "mfa_required",
            error_description: "This account has two-step verification: send a code with the mfa grant.",
            mfa_token: result.mfaToken,
            expires_in: result.expiresIn,
          },
          403,
          { Pragma: "no-cache" },
        );
      }
      if (result.error === "email_unverified") {
        await rt.limits.loginSucceeded(email, meta.ip);
        return oauthError(400, "invalid_grant", "Confirm your email address first.");
      }
      if (result.error === "account_disabled") return oauthError(400, "invalid_grant", "This account is disabled.");
      return oauthError(400, "invalid_grant", "Email or password is incorrect.");
    }
    await rt.limits.loginSucceeded(email, meta.ip);
    return tokenResponse(result);
  }

  if (input.grant_type === MFA_GRANT) {
    const proof = input.otp
      ? { code: input.otp.replace(/\s/g, "") }
      : input.recovery_code
        ? { recoveryCode: input.recovery_code }
        : null;
    if (!proof) return oauthError(400, "invalid_request", "Send otp (a code from the app) or recovery_code.");
    const owner = await rt.auth.pendingSignInOwner(input.mfa_token);
    if (!owner) return oauthError(400, "invalid_grant", "The mfa_token is invalid or expired. Sign in again.");
    const limit = await rt.limits.beforeLogin(meta.ip, owner.email);
    if (!limit.ok) throw rateLimited(limit);
    const result = await rt.auth.mfaGrant(input.mfa_token, proof, meta, jkt);
    if (!result.ok) {
      if (result.error === "invalid_code") return oauthError(400, "invalid_grant", "The code is not right.");
      if (result.error === "wrong_client")
        return oauthError(
          400,
          "invalid_dpop_proof",
          "The second step must come from the app (and key) that signed in.",
        );
      return oauthError(400, "invalid_grant", "The mfa_token is invalid or expired. Sign in again.");
    }
    await rt.limits.loginSucceeded(owner.email, meta.ip);
    return tokenResponse(result);
  }

  if (input.grant_type === "authorization_code") {
    const result = await rt.auth.authorizationCodeGrant(
      {
        code: input.code,
        clientId: input.client_id,
        redirectUri: input.redirect_uri,
        codeVerifier: input.code_verifier,
      },
      meta,
      jkt,
    );
    if (!result.ok) {
      // Failures count toward the per-IP refresh limit: guessing codes or verifiers is bounded too.
      const limit = await rt.limits.refreshBlocked(meta.ip);
      await rt.limits.refreshFailed(meta.ip);
      if (!limit.ok) throw rateLimited(limit);
      if (result.error === "dpop_mismatch")
        return oauthError(
          400,
          "invalid_dpop_proof",
          "This code needs a DPoP proof from the key named at authorization.",
        );
      if (result.error === "second_factor_required")
        return oauthError(
          400,
          "invalid_grant",
          "This account has two-step verification: sign in again in the browser, with the second step.",
        );
      return oauthError(
        400,
        "invalid_grant",
        "The code is invalid, expired or used, or was issued for another client, redirect URI or code_verifier.",
      );
    }
    return tokenResponse(result);
  }

  const result = await rt.auth.refreshGrant(input.refresh_token, meta, jkt);
  if (!result.ok) {
    // Only failures count toward the per-IP refresh limit, as for the cookie route.
    const limit = await rt.limits.refreshBlocked(meta.ip);
    await rt.limits.refreshFailed(meta.ip);
    if (!limit.ok) throw rateLimited(limit);
    if (result.error === "dpop_mismatch")
      return oauthError(400, "invalid_dpop_proof", "This refresh token needs a DPoP proof from its key.");
    return oauthError(400, "invalid_grant", "The refresh token is invalid, expired or revoked.");
  }
  return tokenResponse(result);
});

export const GET = methodNotAllowed("POST", oauthError);
