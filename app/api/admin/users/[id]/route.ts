import { z } from "zod";
import { requireAdmin } from "@/app/api/admin/_lib/require-admin";
import { adminActor, userChangeAnswer } from "@/app/api/admin/_lib/user-actions";
import { ROLES } from "@/lib/auth/roles";
import { errorJson, json, readJson, route } from "@/lib/server/http";

/** GET /api/admin/users/:id → { user, sessions, events }. */
export const GET = route<{ id: string }>({ stateChanging: false }, async (req, { rt, params }) => {
  await requireAdmin(req, rt);
  const detail = await rt.auth.userDetail(params.id);
  if (!detail.ok) return errorJson(404, "not_found", "No such user.");
  return json({ user: detail.user, sessions: detail.sessions, events: await rt.auth.userEvents(params.id, 50) });
});

const body = z.strictObject({ role: z.enum(ROLES) });

/** PATCH /api/admin/users/:id { role } (step-up): the last administrator keeps the role (409 last_admin). */
export const PATCH = route<{ id: string }>({ stateChanging: true }, async (req, { rt, meta, params }) => {
  const admin = await requireAdmin(req, rt, { stepUp: true });
  const { role } = await readJson(req, body);
  return userChangeAnswer(await rt.auth.setRole({ id: params.id }, role, adminActor(admin.user.id), meta));
});
