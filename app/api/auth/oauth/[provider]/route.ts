import type { NextRequest } from "next/server";
import { errorJson, reauthenticationRequired, requireUser, route } from "@/lib/server/http";
import { providerClient, startFlow } from "@/lib/server/provider-flow";

export const dynamic = "force-dynamic";

/**
 * GET /api/auth/oauth/{github|google|oidc}?next=/path: "Continue with …", a plain link. To the
 * provider, with state, PKCE and a nonce in one short-lived sealed cookie. An unconfigured provider
 * does not exist (404).
 */
export const GET = route<{ provider: string }>({ stateChanging: false }, async (req: NextRequest, { rt, params }) => {
  const client = providerClient(rt, params.provider);
  if (!client) return errorJson(404, "not_found", "No such sign-in provider.");
  return startFlow(rt, client, { next: req.nextUrl.searchParams.get("next"), intent: "sign_in", session: null });
});

/**
 * POST: connect the provider to the account signed in here (a recent sign-in needed). Answers
 * `{ location }`; the page sends the browser there. The callback checks the session still lives.
 */
export const POST = route<{ provider: string }>({ stateChanging: true }, async (req: NextRequest, { rt, params }) => {
  const client = providerClient(rt, params.provider);
  if (!client) return errorJson(404, "not_found", "No such sign-in provider.");
  const { claims } = await requireUser(req, rt);
  if (!rt.auth.recentlyAuthenticated(claims)) throw reauthenticationRequired();
  return startFlow(rt, client, {
    next: null,
    intent: "connect",
    session: { userId: claims.sub, familyId: claims.sid },
  });
});
