import {
  AmbiguousSessionError,
  accessTokenFrom,
  clearSessionCookies,
  json,
  methodNotAllowed,
  refreshTokenFrom,
  route,
} from "@/lib/server/http";

/** Ends this session (idempotent): family revoked, access jti deny-listed, both cookies cleared. */
export const POST = route({ stateChanging: true }, async (req, { rt, meta }) => {
  let refresh: string | undefined;
  try {
    refresh = refreshTokenFrom(req);
  } catch (error) {
    // Two different refresh cookies (one may be planted): act on neither, but the access cookie
    // (a __Host- cookie no sibling site can set) still names this browser's own session: end it.
    // The wrapper then answers 401 ambiguous_session, clears everything and records the event.
    if (error instanceof AmbiguousSessionError) await rt.auth.logout({ access: accessTokenFrom(req) }, meta);
    throw error;
  }
  await rt.auth.logout({ access: accessTokenFrom(req), refresh }, meta);
  return clearSessionCookies(json({ ok: true }));
});

export const GET = methodNotAllowed("POST");
