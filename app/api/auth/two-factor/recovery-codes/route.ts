import { errorJson, json, methodNotAllowed, reauthenticationRequired, requireUser, route } from "@/lib/server/http";

/** Ten new recovery codes (step-up), shown once; the old ones stop working. */
export const POST = route({ stateChanging: true }, async (req, { rt, meta }) => {
  const { claims } = await requireUser(req, rt);
  const result = await rt.auth.regenerateRecoveryCodes(claims, meta);
  if (result.ok) return json({ recoveryCodes: result.recoveryCodes });
  if (result.error === "reauthentication_required") throw reauthenticationRequired();
  return errorJson(409, "not_enabled", "Two-step verification is not on.");
});

export const GET = methodNotAllowed("POST");
