import {
  clearSessionCookies,
  errorJson,
  json,
  methodNotAllowed,
  rateLimited,
  refreshTokenFrom,
  route,
  setSessionCookies,
} from "@/lib/server/http";
import { sessionState } from "@/lib/auth/session-state";

const FAILURE_MESSAGES: Record<string, string> = {
  reuse_detected: "This session was ended for your safety because its sign-in token was used twice. Sign in again.",
  expired: "Your session has expired. Sign in again.",
};

/**
 * Rotates the refresh token. Inside the reuse grace window (another tab just rotated it) the
 * answer is a fresh access cookie only: no second refresh token, nothing cleared.
 * Any failure clears both cookies.
 */
export const POST = route({ stateChanging: true }, async (req, { rt, meta }) => {
  const presented = refreshTokenFrom(req);
  if (!presented) {
    return clearSessionCookies(errorJson(401, "no_session", "You are not signed in."));
  }
  const result = await rt.auth.refresh(presented, meta);
  if (!result.ok) {
    // Only failures count toward the per-IP limit; past it, failures get a 429 instead.
    const limit = await rt.limits.refreshBlocked(meta.ip);
    await rt.limits.refreshFailed(meta.ip);
    if (!limit.ok) throw rateLimited(limit);
    const reuse = result.error === "reuse_detected";
    const code = reuse ? "session_revoked_reuse" : "session_expired";
    const message =
      FAILURE_MESSAGES[reuse ? "reuse_detected" : result.error] ?? "Your session has ended. Sign in again.";
    return clearSessionCookies(errorJson(401, code, message));
  }
  const res = json(sessionState(result.user, result.access.claims, result.sessionStartedAt));
  return setSessionCookies(res, result.access, result.refresh, rt.config.accessTokenTtl);
});

export const GET = methodNotAllowed("POST");
