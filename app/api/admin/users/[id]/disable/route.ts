import { requireAdmin } from "@/app/api/admin/_lib/require-admin";
import { adminActor, userChangeAnswer } from "@/app/api/admin/_lib/user-actions";
import { methodNotAllowed, route } from "@/lib/server/http";

/** POST /api/admin/users/:id/disable (step-up): every session of the user ends at once and no sign-in works (the last administrator cannot be disabled). */
export const POST = route<{ id: string }>({ stateChanging: true }, async (req, { rt, meta, params }) => {
  const admin = await requireAdmin(req, rt, { stepUp: true });
  return userChangeAnswer(await rt.auth.setDisabled({ id: params.id }, true, adminActor(admin.user.id), meta));
});

export const GET = methodNotAllowed("POST");
