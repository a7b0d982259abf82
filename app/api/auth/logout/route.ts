import { accessTokenFrom, clearSessionCookies, json, methodNotAllowed, refreshTokenFrom, route } from "@/lib/server/http";

/** Ends this session (idempotent): family revoked, access jti deny-listed, both cookies cleared. */
export const POST = route({ stateChanging: true }, async (req, { rt, meta }) => {
  await rt.auth.logout({ access: accessTokenFrom(req), refresh: refreshTokenFrom(req) }, meta);
  return clearSessionCookies(json({ ok: true }));
});

export const GET = methodNotAllowed("POST");
