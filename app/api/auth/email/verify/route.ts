import {
  errorJson,
  json,
  methodNotAllowed,
  rateLimited,
  readJson,
  route,
  secondStepRequired,
  signedIn,
  signedInUser,
} from "@/lib/server/http";
import { verifyEmailBody } from "@/lib/server/request-bodies";

/**
 * Confirms the address from a verification link. The link proves the mailbox; the password proves
 * who completes it: a session of that account in this browser, or `password` (then the person is
 * signed in, with both cookies, like a sign-in). A typed password counts against the account's
 * sign-in limits, as any password guess does.
 */
export const POST = route({ stateChanging: true }, async (req, { rt, meta }) => {
  const { token, password } = await readJson(req, verifyEmailBody);
  const owner = password === undefined ? undefined : await rt.auth.verificationLinkOwner(token);
  if (owner) {
    const limit = await rt.limits.beforeLogin(meta.ip, owner.email);
    if (!limit.ok) throw rateLimited(limit);
  }
  const current = await signedInUser(req, rt);
  const result = await rt.auth.verifyEmail({ token, password, sessionUserId: current?.id ?? null }, meta);
  if (!result.ok) {
    switch (result.error) {
      case "password_required":
        return errorJson(401, "password_required", "Enter the password you chose when you signed up.");
      case "wrong_password":
        return errorJson(401, "invalid_credentials", "That is not the password of this sign-up.");
      default:
        return errorJson(400, "invalid_token", "This link is invalid, already used or expired.");
    }
  }
  if (owner) await rt.limits.loginSucceeded(owner.email, meta.ip);
  // Confirmed; with a typed password the person is signed in too (or asked for the second step).
  if (result.pending) return secondStepRequired(result.pending, rt.clock.now());
  if (!result.session) return json({ ok: true });
  return signedIn(result.session, rt.config.accessTokenTtl);
});

export const GET = methodNotAllowed("POST");
