import {
  clearSessionCookies,
  errorJson,
  json,
  methodNotAllowed,
  rateLimited,
  readJson,
  route,
  setSessionCookies,
} from "@/lib/server/http";
import { sessionState } from "@/lib/auth/session-state";
import { normaliseEmail } from "@/lib/auth";
import { loginBody } from "@/lib/server/request-bodies";

/** Always a new family: cookies the browser already had (even planted ones) are ignored. */
export const POST = route({ stateChanging: true }, async (req, { rt, meta }) => {
  const body = await readJson(req, loginBody);
  const email = normaliseEmail(body.email);
  const limit = await rt.limits.beforeLogin(meta.ip, email);
  if (!limit.ok) throw rateLimited(limit);
  const result = await rt.auth.login(body, meta);
  if (!result.ok) {
    if (result.error === "email_unverified") {
      await rt.limits.loginSucceeded(email, meta.ip);
      return errorJson(403, "email_unverified", "Confirm your email address first: use the link we sent you.");
    }
    return errorJson(401, "invalid_credentials", "Email or password is incorrect.");
  }
  await rt.limits.loginSucceeded(email, meta.ip);
  const res = json(sessionState(result.user, result.access.claims, result.sessionStartedAt));
  clearSessionCookies(res);
  return setSessionCookies(res, result.access, result.refresh, rt.config.accessTokenTtl);
});

export const GET = methodNotAllowed("POST");
