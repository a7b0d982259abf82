import { json, route } from "@/lib/server/http";
import { describeEvent } from "@/lib/auth/events";
import { describeDevice } from "@/lib/auth/devices";
import { requireAdmin } from "../_lib/require-admin";

export const dynamic = "force-dynamic";

/**
 * Recent auth events across users, newest first. `?limit=` (1–500, default 100);
 * token renewals are left out unless `?refresh=1`.
 */
export const GET = route({ stateChanging: false }, async (req, { rt }) => {
  await requireAdmin(req, rt);
  const limit = Math.min(500, Math.max(1, Number(req.nextUrl.searchParams.get("limit")) || 100));
  const withRefresh = req.nextUrl.searchParams.get("refresh") === "1";
  const emails = new Map<string, string | null>();
  const emailOf = (id: string | null) => {
    if (!id) return null;
    if (!emails.has(id)) emails.set(id, rt.store.userById(id)?.email ?? null);
    return emails.get(id)!;
  };
  const events = rt.auth
    .recentEvents(withRefresh ? limit : Math.min(2000, limit * 5))
    .filter((e) => withRefresh || e.type !== "refresh")
    .slice(0, limit)
    .map((e) => ({
      id: e.id,
      type: e.type,
      description: describeEvent(e.type),
      at: e.at,
      userId: e.userId,
      email: emailOf(e.userId),
      ip: e.ip,
      device: e.userAgent ? describeDevice(e.userAgent) : null,
    }));
  return json({ events });
});
