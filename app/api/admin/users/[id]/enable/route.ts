import { requireAdmin } from "@/app/api/admin/_lib/require-admin";
import { adminActor, userChangeAnswer } from "@/app/api/admin/_lib/user-actions";
import { methodNotAllowed, route } from "@/lib/server/http";

/** POST /api/admin/users/:id/enable (step-up): the user can sign in again. */
export const POST = route<{ id: string }>({ stateChanging: true }, async (req, { rt, meta, params }) => {
  const admin = await requireAdmin(req, rt, { stepUp: true });
  return userChangeAnswer(await rt.auth.setDisabled({ id: params.id }, false, adminActor(admin.user.id), meta));
});

export const GET = methodNotAllowed("POST");
