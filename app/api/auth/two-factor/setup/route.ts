import { errorJson, json, methodNotAllowed, reauthenticationRequired, requireUser, route } from "@/lib/server/http";

/**
 * Starts two-step set-up (step-up): a new secret as a base32 setup key and an otpauth:// URL for
 * the QR code, shown this once. It is on only after /enable with a code from the app.
 */
export const POST = route({ stateChanging: true }, async (req, { rt, meta }) => {
  const { claims } = await requireUser(req, rt);
  const result = await rt.auth.beginTwoFactorSetup(claims, meta);
  if (result.ok) return json({ secret: result.secret, otpauthUrl: result.otpauthUrl });
  if (result.error === "reauthentication_required") throw reauthenticationRequired();
  if (result.error === "already_enabled")
    return errorJson(409, "already_enabled", "Two-step verification is already on. Turn it off first.");
  return errorJson(401, "unauthenticated", "Sign in to continue.");
});

export const GET = methodNotAllowed("POST");
