import { json, requireUser, route } from "@/lib/server/http";

/** The signed-in user's connected accounts, and which providers this app offers. */
export const GET = route({ stateChanging: false }, async (req, { rt }) => {
  const { user } = await requireUser(req, rt);
  return json({
    connected: await rt.auth.connectedAccounts(user.id),
    available: rt.config.providers.map((p) => ({ id: p.id, name: p.name })),
  });
});
