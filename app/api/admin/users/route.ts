import { requireAdmin } from "@/app/api/admin/_lib/require-admin";
import { json, methodNotAllowed, route } from "@/lib/server/http";

/** GET /api/admin/users?query=&cursor= → { users, nextCursor }: newest first, 50 a page. */
export const GET = route({ stateChanging: false }, async (req, { rt }) => {
  await requireAdmin(req, rt);
  const params = req.nextUrl.searchParams;
  const page = await rt.auth.listUsers({
    query: params.get("query")?.slice(0, 254) ?? null,
    cursor: params.get("cursor")?.slice(0, 200) ?? null,
  });
  return json(page);
});

export const POST = methodNotAllowed("GET");
