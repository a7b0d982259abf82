import { normaliseEmail } from "@/lib/auth";
import { runInBackground } from "@/lib/server/background";
import { json, methodNotAllowed, rateLimited, readJson, route } from "@/lib/server/http";
import { forgotPasswordBody } from "@/lib/server/request-bodies";

/**
 * Asks for a reset link. The answer is the same, in body, status and time, whether or not the
 * address has an account: the lookup and the mail happen after the answer is sent.
 */
export const POST = route({ stateChanging: true }, async (req, { rt, meta }) => {
  const { email } = await readJson(req, forgotPasswordBody);
  const limit = await rt.limits.recoveryMail(meta.ip, normaliseEmail(email));
  if (!limit.ok) throw rateLimited(limit);
  runInBackground(rt.log, "password reset request", () => rt.auth.requestPasswordReset(email, meta));
  return json({ ok: true }, 202);
});

export const GET = methodNotAllowed("POST");
