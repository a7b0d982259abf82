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
import { registerBody } from "@/lib/server/request-bodies";

export const POST = route({ stateChanging: true }, async (req, { rt, meta }) => {
  const limit = await rt.limits.register(meta.ip);
  if (!limit.ok) throw rateLimited(limit);
  const body = await readJson(req, registerBody);
  const result = await rt.auth.register(body, meta);
  if (!result.ok) {
    return errorJson(409, "email_taken", "An account with this email already exists. Sign in instead.");
  }
  // EMAIL_VERIFICATION=required: the same answer for a new and a taken address, and no session.
  if ("verificationRequired" in result) return json({ verificationRequired: true }, 202);
  const res = json(sessionState(result.user, result.access.claims, result.sessionStartedAt), 201);
  // A fresh session: any cookies the browser held before are replaced.
  clearSessionCookies(res);
  return setSessionCookies(res, result.access, result.refresh, rt.config.accessTokenTtl);
});

export const GET = methodNotAllowed("POST");
