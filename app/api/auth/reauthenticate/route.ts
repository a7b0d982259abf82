import {
  challengeTokenFrom,
  clearWebauthnCookie,
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
import { reauthenticateBody } from "@/lib/server/request-bodies";

/**
 * Step-up: "Confirm it's you" with the password, a code (or recovery code) or a passkey. The
 * session stays; its auth_time is now, and a fresh access cookie says so.
 */
export const POST = route({ stateChanging: true }, async (req, { rt, meta }) => {
  const { user, claims } = await requireUser(req, rt);
  const body = await readJson(req, reauthenticateBody);
  const limit = await rt.limits.beforeLogin(meta.ip, user.email);
  if (!limit.ok) throw rateLimited(limit);
  const proof =
    "credential" in body ? { credential: body.credential as never, challengeToken: challengeTokenFrom(req) } : body;
  const result = await rt.auth.reauthenticate(claims, proof, meta);
  if (!result.ok) {
    const res =
      result.error === "session_ended"
        ? errorJson(401, "unauthenticated", "Your session has ended. Sign in again.")
        : errorJson(401, "invalid_credentials", "That did not confirm it's you. Try again.");
    return clearWebauthnCookie(res);
  }
  await rt.limits.loginSucceeded(user.email, meta.ip);
  const res = json(sessionState(result.user, result.access.claims, result.sessionStartedAt));
  return clearWebauthnCookie(setSessionCookies(res, result.access, null, rt.config.accessTokenTtl));
});

export const GET = methodNotAllowed("POST");
