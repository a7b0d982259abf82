import { clearSessionCookies, errorJson, json, methodNotAllowed, requireUser, route } from "@/lib/server/http";

/** Ends one of the user's own sessions. Another user's (or an unknown) id is a 404. */
export const DELETE = route<{ id: string }>({ stateChanging: true }, async (req, { rt, meta, params }) => {
  const { user, claims } = await requireUser(req, rt);
  const result = await rt.auth.endSession(user.id, params.id, meta);
  if (!result.ok) return errorJson(404, "not_found", "No such session.");
  const res = json({ ok: true, current: params.id === claims.sid });
  return params.id === claims.sid ? clearSessionCookies(res) : res;
});

export const GET = methodNotAllowed("DELETE");
