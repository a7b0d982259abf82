import { errorJson, json, methodNotAllowed, rateLimited, requireUser, route } from "@/lib/server/http";

/** Mails a new verification link to the signed-in user (older links stop working). */
export const POST = route({ stateChanging: true }, async (req, { rt, meta }) => {
  const { user } = await requireUser(req, rt);
  const limit = await rt.limits.recoveryMail(meta.ip, user.email);
  if (!limit.ok) throw rateLimited(limit);
  const result = await rt.auth.sendVerification(user.id, meta);
  if (!result.ok && result.error === "already_verified") {
    return errorJson(409, "already_verified", "Your email address is already confirmed.");
  }
  if (!result.ok) return errorJson(401, "unauthenticated", "Sign in to continue.");
  return json({ ok: true }, 202);
});

export const GET = methodNotAllowed("POST");
