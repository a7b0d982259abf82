import { errorJson, json, methodNotAllowed, readJson, requireUser, route, setSessionCookies } from "@/lib/server/http";
import { accessState } from "@/lib/auth/session-state";
import { passwordBody } from "@/lib/server/request-bodies";

/** Changes the password. Other sessions end; this one stays, with a re-issued access token. */
export const POST = route({ stateChanging: true }, async (req, { rt, meta }) => {
  const { claims } = await requireUser(req, rt);
  const body = await readJson(req, passwordBody);
  const result = await rt.auth.changePassword(claims, body, meta);
  if (!result.ok) {
    if (result.error === "wrong_password") return errorJson(400, "wrong_password", "Your current password is incorrect.");
    return errorJson(401, "unauthenticated", "Sign in to continue.");
  }
  const res = json({ ...accessState(result.user, result.access.claims), sessionsEnded: result.sessionsEnded });
  return setSessionCookies(res, result.access, null, rt.config.accessTokenTtl);
});

export const GET = methodNotAllowed("POST");
