import { json, route } from "@/lib/server/http";
import { requireAdmin } from "../_lib/require-admin";

export const dynamic = "force-dynamic";

/** Recent auth events across users, newest first. `?limit=` (1–500, default 100). */
export const GET = route({ stateChanging: false }, async (req, { rt }) => {
  await requireAdmin(req, rt);
  const limit = Math.min(500, Math.max(1, Number(req.nextUrl.searchParams.get("limit")) || 100));
  const events = await rt.auth.recentEvents(limit);
  return json({ events });
});
