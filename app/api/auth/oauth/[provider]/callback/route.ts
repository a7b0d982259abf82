import type { NextRequest } from "next/server";
import { clearSessionCookies, errorJson, pendingCookieOn, route, setSessionCookies } from "@/lib/server/http";
import { continueTo, finishFlow, providerClient, redirectAfterFlow } from "@/lib/server/provider-flow";

export const dynamic = "force-dynamic";

/** Why a provider sign-in ended on the sign-in page (`/login?error=…`; never a secret or code). */
const SIGN_IN_ERRORS: Record<string, string> = {
  access_denied: "access_denied",
  invalid_state: "provider_state",
  invalid_response: "provider_error",
  unavailable: "provider_unavailable",
  no_verified_email: "provider_email_unverified",
  link_required: "account_exists",
  account_disabled: "account_disabled",
  email_unverified: "email_unverified",
};

/**
 * The provider sends the browser back here. Every check (the flow's cookie, state, PKCE, the ID
 * token, GitHub's verified address) happens before anything else; then the core decides: a
 * session (through the pipeline: the second step if two-step is on), an account made, a link, or
 * a refusal. A session, and a connect (signed in), end on a page of ours that moves on (see
 * continueTo); anything else is a 302. Never a token or the provider's code in a URL we make.
 */
export const GET = route<{ provider: string }>(
  { stateChanging: false },
  async (req: NextRequest, { rt, meta, params }) => {
    const client = providerClient(rt, params.provider);
    if (!client) return errorJson(404, "not_found", "No such sign-in provider.");
    const outcome = await finishFlow(req, rt, client);
    if (!outcome.ok) {
      // Connecting happens signed in: the security page needs the Strict session cookies, which a
      // 302 at the end of a cross-site chain would not carry (see continueTo).
      if (outcome.intent === "connect") return continueTo(rt, `/account/security?error=${outcome.code}`);
      return redirectAfterFlow(rt, `/login?error=${SIGN_IN_ERRORS[outcome.code] ?? "provider_error"}`);
    }
    const { flow, identity } = outcome;
    if (flow.intent === "connect" && flow.session) {
      const connected = await rt.auth.connectProvider(flow.session, identity, meta);
      return continueTo(
        rt,
        connected.ok ? `/account/security?connected=${client.id}` : `/account/security?error=${connected.error}`,
      );
    }
    const result = await rt.auth.signInWithProvider(identity, meta);
    if (result.ok) {
      // A fresh session: any cookies the browser held before are replaced.
      const res = clearSessionCookies(continueTo(rt, flow.next));
      return setSessionCookies(res, result.access, result.refresh, rt.config.accessTokenTtl);
    }
    if (result.error === "second_factor_required") {
      const res = clearSessionCookies(redirectAfterFlow(rt, `/two-factor?next=${encodeURIComponent(flow.next)}`));
      return pendingCookieOn(res, result.pending, rt.clock.now());
    }
    return redirectAfterFlow(rt, `/login?error=${SIGN_IN_ERRORS[result.error] ?? "provider_error"}`);
  },
);
