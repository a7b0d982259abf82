import { json, requireUser, route } from "@/lib/server/http";
import { deviceSessions } from "@/lib/server/device-sessions";

export const dynamic = "force-dynamic";

/** The user's active sessions (devices). `id` is the family id that access tokens carry as sid. */
export const GET = route({ stateChanging: false }, async (req, { rt }) => {
  const { user, claims } = await requireUser(req, rt);
  return json({ sessions: deviceSessions(rt, user.id, claims.sid) });
});
