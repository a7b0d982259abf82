import { errorJson, json, methodNotAllowed, rateLimited, readJson, requireUser, route } from "@/lib/server/http";
import { twoFactorEnableBody } from "@/lib/server/request-bodies";

/** Turns two-step on with the first code from the app: ten recovery codes, shown once; other sessions end. */
export const POST = route({ stateChanging: true }, async (req, { rt, meta }) => {
  const { user, claims } = await requireUser(req, rt);
  const { code } = await readJson(req, twoFactorEnableBody);
  // A code is a guess like a password: the same per-account back-off.
  const limit = await rt.limits.beforeLogin(meta.ip, user.email);
  if (!limit.ok) throw rateLimited(limit);
  const result = await rt.auth.enableTwoFactor(claims, code, meta);
  if (result.ok) {
    await rt.limits.loginSucceeded(user.email, meta.ip);
    return json({ recoveryCodes: result.recoveryCodes, sessionsEnded: result.sessionsEnded });
  }
  if (result.error === "not_pending")
    return errorJson(409, "not_pending", "Start the set-up first (or two-step verification is already on).");
  return errorJson(
    400,
    "invalid_code",
    "That code is not right. Check the time on your phone and try the current code.",
  );
});

export const GET = methodNotAllowed("POST");
