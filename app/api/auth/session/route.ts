import { json, route, accessTokenFrom } from "@/lib/server/http";
import { accessState } from "@/lib/auth/session-state";

export const dynamic = "force-dynamic";

/** The access state for the AuthProvider: who, until when. Never the token itself. */
export const GET = route({ stateChanging: false }, async (req, { rt }) => {
  const token = accessTokenFrom(req);
  const result = token ? await rt.auth.authenticate(token) : undefined;
  if (!result?.ok) return json({ status: "unauthenticated" });
  return json(accessState(result.user, result.claims, result.sessionStartedAt));
});
