import { errorJson, json, methodNotAllowed, rateLimited, readJson, route, signedIn } from "@/lib/server/http";
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
  return signedIn(result, rt.config.accessTokenTtl, 201);
});

export const GET = methodNotAllowed("POST");
