import {
  errorJson,
  json,
  methodNotAllowed,
  rateLimited,
  readJson,
  requireUser,
  route,
  setSessionCookies,
} from "@/lib/server/http";
import { sessionState } from "@/lib/auth/session-state";
import { passwordBody } from "@/lib/server/request-bodies";

/**
 * Changes the password. Other sessions end; this one stays, with a new access token and a new
 * refresh token (a stolen copy of the old one dies with the change). The current password is a
 * guess like any sign-in: it shares sign-in's per-account back-off and per-IP limit.
 */
export const POST = route({ stateChanging: true }, async (req, { rt, meta }) => {
  const { user, claims } = await requireUser(req, rt);
  const body = await readJson(req, passwordBody);
  const limit = await rt.limits.beforeLogin(meta.ip, user.email);
  if (!limit.ok) throw rateLimited(limit);
  const result = await rt.auth.changePassword(claims, body, meta);
  // The current password was right (same_password is only told after it is checked).
  if (result.ok || result.error === "same_password") await rt.limits.loginSucceeded(user.email, meta.ip);
  if (!result.ok) {
    if (result.error === "wrong_password")
      return errorJson(400, "wrong_password", "Your current password is incorrect.");
    if (result.error === "same_password") {
      return errorJson(400, "same_password", "Choose a new password that is different from your current one.");
    }
    return errorJson(401, "unauthenticated", "Sign in to continue.");
  }
  const res = json({
    ...sessionState(result.user, result.access.claims, result.sessionStartedAt),
    sessionsEnded: result.sessionsEnded,
  });
  return setSessionCookies(res, result.access, result.refresh, rt.config.accessTokenTtl);
});

export const GET = methodNotAllowed("POST");
