import { json, requireUser, route } from "@/lib/server/http";

export const dynamic = "force-dynamic";

/** The current user. Accepts the access cookie or `Authorization: Bearer <access token>`. */
export const GET = route({ stateChanging: false }, async (req, { rt }) => {
  const { user } = await requireUser(req, rt, { allowBearer: true });
  return json({ user });
});
