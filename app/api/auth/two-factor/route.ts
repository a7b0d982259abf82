import { json, requireUser, route } from "@/lib/server/http";

/** Whether two-step is on for the signed-in user, and how many recovery codes are left. */
export const GET = route({ stateChanging: false }, async (req, { rt }) => {
  const { user } = await requireUser(req, rt);
  return json(await rt.auth.twoFactorStatus(user.id));
});
