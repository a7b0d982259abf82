import { json, requireUser, route } from "@/lib/server/http";

/** The signed-in user's passkeys (names and dates; never a key). */
export const GET = route({ stateChanging: false }, async (req, { rt }) => {
  const { user } = await requireUser(req, rt);
  return json({ passkeys: await rt.auth.listPasskeys(user.id) });
});
