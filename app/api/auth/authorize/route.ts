import type { NextRequest } from "next/server";
import { checkAuthorizeRequest } from "@/lib/auth/authorization-code";
import { ACCESS_COOKIE, soleCookieValue } from "@/lib/server/cookies";
import { methodNotAllowed, route } from "@/lib/server/http";
import { authorizationPage, authorizationRedirect, toLogin } from "@/lib/server/authorize";

export const dynamic = "force-dynamic";

/**
 * GET /api/auth/authorize: a native app's sign-in through the system browser (RFC 8252,
 * authorization code with PKCE). The person signs in on our own login page with whatever method
 * they use; the app gets a one-time code on its registered redirect URI, with its `state` and our
 * `iss` (RFC 9207). First-party apps only (AUTH_NATIVE_CLIENTS): no consent step.
 */
export const GET = route({ stateChanging: false }, async (req: NextRequest, { rt, meta }) => {
  const checked = checkAuthorizeRequest(req.nextUrl.searchParams, rt.config.nativeClients);
  if (!checked.ok) {
    if (checked.show === "page") return authorizationPage(400, checked.message);
    return authorizationRedirect(rt, checked.redirectUri, {
      error: checked.error,
      error_description: checked.description,
      state: checked.state,
    });
  }
  const { request } = checked;
  // The browser's own session (the access cookie, fully checked); signed out: the login page, and back here.
  const token = soleCookieValue(req.headers.get("cookie"), ACCESS_COOKIE);
  const current = token ? await rt.auth.authenticate(token) : null;
  if (!current?.ok) return toLogin(rt, req);
  const issued = await rt.auth.issueAuthorizationCode(
    request,
    { userId: current.user.id, familyId: current.claims.sid },
    meta,
  );
  if (!issued.ok) return toLogin(rt, req);
  return authorizationRedirect(rt, request.redirectUri, { code: issued.code, state: request.state });
});

export const POST = methodNotAllowed("GET");
