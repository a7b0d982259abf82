import { requireAdmin } from "@/app/api/admin/_lib/require-admin";
import { errorJson, json, methodNotAllowed, reauthenticationRequired, route } from "@/lib/server/http";

/**
 * An administrator turns off a user's two-step verification (a lost phone, no recovery codes):
 * step-up for the administrator, audited with who did it, and the user is mailed.
 */
export const POST = route<{ id: string }>({ stateChanging: true }, async (req, { rt, meta, params }) => {
  const { claims } = await requireAdmin(req, rt);
  const result = await rt.auth.resetTwoFactorByAdministrator(claims, params.id, meta);
  if (result.ok) return json({ ok: true });
  if (result.error === "reauthentication_required") throw reauthenticationRequired();
  if (result.error === "not_found") return errorJson(404, "not_found", "No such user.");
  return errorJson(409, "not_enabled", "Two-step verification is not on for this user.");
});

export const GET = methodNotAllowed("POST");
