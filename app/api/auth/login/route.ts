import {
  errorJson,
  methodNotAllowed,
  rateLimited,
  readJson,
  route,
  secondStepRequired,
  signedIn,
} from "@/lib/server/http";
import { normaliseEmail } from "@/lib/auth";
import { loginBody } from "@/lib/server/request-bodies";

/**
 * Always a new family: cookies the browser already had (even planted ones) are ignored. An account
 * with two-step on gets no session yet: 202 and the pending cookie for /two-factor.
 */
export const POST = route({ stateChanging: true }, async (req, { rt, meta }) => {
  const body = await readJson(req, loginBody);
  const email = normaliseEmail(body.email);
  const limit = await rt.limits.beforeLogin(meta.ip, email);
  if (!limit.ok) throw rateLimited(limit);
  const result = await rt.auth.login(body, meta);
  if (result.ok) {
    await rt.limits.loginSucceeded(email, meta.ip);
    return signedIn(result, rt.config.accessTokenTtl);
  }
  switch (result.error) {
    case "second_factor_required":
      // The password was right; the back-off starts again only after the second step.
      return secondStepRequired(result.pending, rt.clock.now());
    case "email_unverified":
      await rt.limits.loginSucceeded(email, meta.ip);
      return errorJson(403, "email_unverified", "Confirm your email address first: use the link we sent you.");
    case "account_disabled":
      return errorJson(403, "account_disabled", "This account is disabled. Contact the administrator.");
    default:
      return errorJson(401, "invalid_credentials", "Email or password is incorrect.");
  }
});

export const GET = methodNotAllowed("POST");
