import { json, requireUser, route } from "@/lib/server/http";
import { describeDevice } from "@/lib/user-agent";

export const dynamic = "force-dynamic";

/** The user's active sessions (devices). `id` is the family id that access tokens carry as sid. */
export const GET = route({ stateChanging: false }, async (req, { rt }) => {
  const { user, claims } = await requireUser(req, rt);
  const sessions = rt.auth.listSessions(user.id).map((f) => ({
    id: f.id,
    current: f.id === claims.sid,
    createdAt: f.createdAt,
    lastUsedAt: f.lastUsedAt,
    ip: f.ip,
    ...describeDevice(f.userAgent),
  }));
  return json({ sessions });
});
