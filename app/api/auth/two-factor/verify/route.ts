import { BROWSER } from "@/lib/auth/context";
import {
  clearPendingCookie,
  errorJson,
  methodNotAllowed,
  pendingTokenFrom,
  rateLimited,
  readJson,
  route,
  signedIn,
} from "@/lib/server/http";
import { secondStepBody } from "@/lib/server/request-bodies";

/**
 * The second step of a sign-in: a code from the app or a recovery code, for the pending sign-in
 * in this browser's cookie. Five attempts, five minutes, one use, and the account's back-off (a
 * code is a guess like a password). Right: a session, like sign-in.
 */
export const POST = route({ stateChanging: true }, async (req, { rt, meta }) => {
  const proof = await readJson(req, secondStepBody);
  const token = pendingTokenFrom(req) ?? "";
  const owner = await rt.auth.pendingSignInOwner(token);
  if (!owner) {
    return clearPendingCookie(
      errorJson(401, "sign_in_expired", "This sign-in has expired. Sign in again with your password."),
    );
  }
  const limit = await rt.limits.beforeLogin(meta.ip, owner.email);
  if (!limit.ok) throw rateLimited(limit);
  const result = await rt.auth.verifySecondStep(token, proof, meta, BROWSER);
  if (result.ok) {
    await rt.limits.loginSucceeded(owner.email, meta.ip);
    return signedIn(result, rt.config.accessTokenTtl);
  }
  switch (result.error) {
    case "invalid_code":
      return errorJson(401, "invalid_code", "That code is not right. Try the current code, or a recovery code.");
    case "account_disabled":
      return clearPendingCookie(errorJson(403, "account_disabled", "This account is disabled."));
    case "too_many_attempts":
      return clearPendingCookie(
        errorJson(401, "too_many_attempts", "Too many wrong codes. Sign in again with your password."),
      );
    default:
      return clearPendingCookie(
        errorJson(401, "sign_in_expired", "This sign-in has expired. Sign in again with your password."),
      );
  }
});

export const GET = methodNotAllowed("POST");
