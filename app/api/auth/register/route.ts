import { clearSessionCookies, errorJson, json, methodNotAllowed, rateLimited, readJson, route, setSessionCookies } from "@/lib/server/http";
import { accessState } from "@/lib/auth/session-state";
import { registerBody } from "@/lib/server/request-bodies";

export const POST = route({ stateChanging: true }, async (req, { rt, meta }) => {
  const limit = await rt.limits.register(meta.ip);
  if (!limit.ok) throw rateLimited(limit);
  const body = await readJson(req, registerBody);
  const result = await rt.auth.register(body, meta);
  if ("error" in result) {
    return errorJson(409, "email_taken", "An account with this email already exists. Sign in instead.");
  }
  const res = json(accessState(result.user, result.access.claims, Date.now()), 201);
  // A fresh session: any cookies the browser held before are replaced.
  clearSessionCookies(res);
  return setSessionCookies(res, result.access, result.refresh, rt.config.accessTokenTtl);
});

export const GET = methodNotAllowed("POST");
