import { requireAdmin } from "@/app/api/admin/_lib/require-admin";
import { errorJson, json, methodNotAllowed, route } from "@/lib/server/http";

/** POST /api/admin/users/:id/end-sessions (step-up): every session of the user ends; access tokens stop at once. */
export const POST = route<{ id: string }>({ stateChanging: true }, async (req, { rt, meta, params }) => {
  const admin = await requireAdmin(req, rt, { stepUp: true });
  const result = await rt.auth.endAllSessionsOf({ userId: params.id }, admin.user.id, meta);
  if (!result.ok) return errorJson(404, "not_found", "No such user.");
  return json({ ok: true, ended: result.ended, self: result.user.id === admin.user.id });
});

export const GET = methodNotAllowed("POST");
