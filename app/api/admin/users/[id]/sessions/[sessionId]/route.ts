import { requireAdmin } from "@/app/api/admin/_lib/require-admin";
import { adminActor } from "@/app/api/admin/_lib/user-actions";
import { errorJson, json, methodNotAllowed, route } from "@/lib/server/http";

/** DELETE /api/admin/users/:id/sessions/:sessionId (step-up): ends that one session of the user. */
export const DELETE = route<{ id: string; sessionId: string }>(
  { stateChanging: true },
  async (req, { rt, meta, params }) => {
    const admin = await requireAdmin(req, rt, { stepUp: true });
    const result = await rt.auth.endSessionOf(params.id, params.sessionId, adminActor(admin.user.id), meta);
    return result.ok ? json({ ok: true }) : errorJson(404, "not_found", "No such session of this user.");
  },
);

export const GET = methodNotAllowed("DELETE");
