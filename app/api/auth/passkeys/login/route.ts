import {
  clearWebauthnCookie,
  challengeTokenFrom,
  errorJson,
  methodNotAllowed,
  rateLimited,
  readJson,
  route,
  signedIn,
} from "@/lib/server/http";
import { passkeySignInBody } from "@/lib/server/request-bodies";

/**
 * Sign-in with a passkey: like a password sign-in (a new family, both cookies). A passkey with
 * user verification is two factors, so no second step is owed. Every failure is one answer.
 */
export const POST = route({ stateChanging: true }, async (req, { rt, meta }) => {
  const limit = await rt.limits.passkeySignIn(meta.ip);
  if (!limit.ok) throw rateLimited(limit);
  const { credential } = await readJson(req, passkeySignInBody);
  const result = await rt.auth.signInWithPasskey(credential as never, challengeTokenFrom(req), meta);
  if (result.ok) return clearWebauthnCookie(signedIn(result, rt.config.accessTokenTtl));
  if (result.error === "account_disabled")
    return clearWebauthnCookie(
      errorJson(403, "account_disabled", "This account is disabled. Contact the administrator."),
    );
  return clearWebauthnCookie(
    errorJson(401, "invalid_passkey", "That passkey did not work. Try again, or use your password."),
  );
});

export const GET = methodNotAllowed("POST");
