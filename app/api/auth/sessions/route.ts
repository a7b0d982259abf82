import { json, requireUser, route } from "@/lib/server/http";

export const dynamic = "force-dynamic";

/** The user's active sessions (devices). `id` is the family id that access tokens carry as sid. */
export const GET = route({ stateChanging: false }, async (req, { rt }) => {
  const { user, claims } = await requireUser(req, rt);
  return json({ sessions: await rt.auth.listDevices(user.id, claims.sid) });
});
