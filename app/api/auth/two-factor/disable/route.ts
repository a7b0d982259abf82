import { errorJson, json, methodNotAllowed, reauthenticationRequired, requireUser, route } from "@/lib/server/http";

/** Turns two-step off (step-up): the secret and the recovery codes go; the user is mailed a notice. */
export const POST = route({ stateChanging: true }, async (req, { rt, meta }) => {
  const { claims } = await requireUser(req, rt);
  const result = await rt.auth.disableTwoFactor(claims, meta);
  if (result.ok) return json({ ok: true });
  if (result.error === "reauthentication_required") throw reauthenticationRequired();
  return errorJson(409, "not_enabled", "Two-step verification is not on.");
});

export const GET = methodNotAllowed("POST");
