import { clearSessionCookies, json, methodNotAllowed, requireUser, route } from "@/lib/server/http";

/** Ends every session of the user, this one included. */
export const POST = route({ stateChanging: true }, async (req, { rt, meta }) => {
  const { claims } = await requireUser(req, rt);
  await rt.auth.logoutEverywhere(claims, meta);
  return clearSessionCookies(json({ ok: true }));
});

export const GET = methodNotAllowed("POST");
