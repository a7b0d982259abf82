import { clearSessionCookies, errorJson, json, methodNotAllowed, rateLimited, readJson, route, setSessionCookies } from "@/lib/server/http";
import { accessState } from "@/lib/auth/session-state";
import { normaliseEmail } from "@/lib/auth";
import { loginBody } from "@/lib/server/request-bodies";

/** Always a new family: cookies the browser already had (even planted ones) are ignored. */
export const POST = route({ stateChanging: true }, async (req, { rt, meta }) => {
  const body = await readJson(req, loginBody);
  const email = normaliseEmail(body.email);
  const limit = await rt.limits.beforeLogin(meta.ip, email);
  if (!limit.ok) throw rateLimited(limit);
  const result = await rt.auth.login(body, meta);
  if ("error" in result) {
    return errorJson(401, "invalid_credentials", "Email or password is incorrect.");
  }
  await rt.limits.loginSucceeded(email, meta.ip);
  const res = json(accessState(result.user, result.access.claims, Date.now()));
  clearSessionCookies(res);
  return setSessionCookies(res, result.access, result.refresh, rt.config.accessTokenTtl);
});

export const GET = methodNotAllowed("POST");
