import type { NextRequest } from "next/server";
import { NextResponse } from "next/server";
import type { ProviderIdentity } from "@/lib/auth/providers";
import type { ProviderId } from "@/lib/auth/store";
import { safeNextPath } from "@/lib/routing/safe-next-path";
import { ProviderError, createProviderClients, type FlowChecks, type ProviderClient } from "@/lib/providers";
import { OAUTH_COOKIE, oauthFlowCookie, serializeCookie, soleCookieValue } from "@/lib/server/cookies";
import type { Runtime } from "@/lib/server/runtime";

/**
 * The browser side of "Continue with …": the start sets one short-lived cookie (sealed with
 * AUTH_SECRETS_KEY: state, PKCE verifier, nonce, the safe `next`, what the flow is for) and
 * sends the browser to the provider; the callback takes it back (one use), checks it belongs to
 * this provider and is fresh, and asks the provider client for the identity.
 */

const FLOW_MS = 10 * 60 * 1000;
const SEAL_CONTEXT = "oauth-flow";

type Flow = FlowChecks & {
  provider: ProviderId;
  next: string;
  /** sign_in; or connect, for the account signed in when the flow started. */
  intent: "sign_in" | "connect";
  session: { userId: string; familyId: string } | null;
  startedAt: number;
};

const clients = new WeakMap<Runtime, Map<ProviderId, ProviderClient>>();

/** The configured provider's client, or undefined: an unconfigured provider does not exist. */
export function providerClient(rt: Runtime, id: string): ProviderClient | undefined {
  let map = clients.get(rt);
  if (!map) {
    map = createProviderClients(rt.config.providers);
    clients.set(rt, map);
  }
  return map.get(id as ProviderId);
}

const redirectUriOf = (rt: Runtime, provider: ProviderId) =>
  new URL(`/api/auth/oauth/${provider}/callback`, rt.config.appUrl).toString();

/**
 * Starts a flow: the provider's URL, and the cookie that carries the flow's checks. Signing in
 * answers a redirect (a plain link starts it); connecting answers `{ location }` to a JSON call
 * (so the page's usual refresh and "Confirm it's you" apply before the browser leaves).
 */
export async function startFlow(
  rt: Runtime,
  client: ProviderClient,
  options: { next: string | null; intent: Flow["intent"]; session: Flow["session"] },
): Promise<NextResponse> {
  const checks = client.newChecks();
  const flow: Flow = {
    ...checks,
    provider: client.id,
    next: safeNextPath(options.next ?? undefined, options.intent === "connect" ? "/account/security" : "/dashboard"),
    intent: options.intent,
    session: options.session,
    startedAt: rt.clock.now(),
  };
  const location = await client.authorizationUrl(checks, redirectUriOf(rt, client.id));
  const res = options.intent === "connect" ? NextResponse.json({ location }) : NextResponse.redirect(location, 302);
  res.headers.set("Cache-Control", "no-store");
  const sealed = rt.sealer.seal(JSON.stringify(flow), SEAL_CONTEXT);
  res.headers.append("Set-Cookie", serializeCookie(oauthFlowCookie(sealed, FLOW_MS / 1000)));
  return res;
}

export type FlowOutcome =
  | { ok: true; flow: Flow; identity: ProviderIdentity }
  | { ok: false; code: "invalid_state" | ProviderError["code"]; intent: Flow["intent"] | null };

/** Finishes a flow: the cookie (gone after this), its checks, and the provider's identity. */
export async function finishFlow(req: NextRequest, rt: Runtime, client: ProviderClient): Promise<FlowOutcome> {
  const sealed = soleCookieValue(req.headers.get("cookie"), OAUTH_COOKIE);
  const opened = sealed ? rt.sealer.open(sealed, SEAL_CONTEXT) : null;
  const flow = opened ? (JSON.parse(opened) as Flow) : null;
  const fresh = flow && flow.provider === client.id && rt.clock.now() - flow.startedAt < FLOW_MS;
  if (!flow || !fresh) return { ok: false, code: "invalid_state", intent: flow?.intent ?? null };
  // The callback URL as the provider sent it, on our own origin (never the Host header's).
  const callback = new URL(req.nextUrl.pathname + req.nextUrl.search, rt.config.appUrl);
  if (callback.searchParams.get("state") !== flow.state)
    return { ok: false, code: "invalid_state", intent: flow.intent };
  try {
    return { ok: true, flow, identity: await client.identity(callback, flow, redirectUriOf(rt, client.id)) };
  } catch (error) {
    if (error instanceof ProviderError) {
      rt.log.warn({ provider: client.id, code: error.code }, "provider sign-in failed");
      return { ok: false, code: error.code, intent: flow.intent };
    }
    throw error;
  }
}

/** Where a flow ends without a session (an error, the second step): a plain 302, the flow cookie gone. */
export function redirectAfterFlow(rt: Runtime, path: string): NextResponse {
  const res = NextResponse.redirect(new URL(path, rt.config.appUrl), 302);
  res.headers.set("Cache-Control", "no-store");
  res.headers.append("Set-Cookie", serializeCookie(oauthFlowCookie("", 0)));
  return res;
}

/**
 * Where a flow ends with a session (a sign-in, or a connect made signed in): a page of our own
 * that moves on by itself. The chain began on
 * the provider's site, so the SameSite=Strict session cookies set here would not be sent on a 302
 * to the next page (it would look signed out); a navigation this page starts is same-site, and
 * they are. (The Lax pending cookie of the second step has no such problem: that one redirects.)
 */
export function continueTo(rt: Runtime, path: string): NextResponse {
  const url = new URL(path, rt.config.appUrl).toString().replace(/"/g, "%22");
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${url}"><title>Signing in…</title></head><body><p>Signing in… <a href="${url}">Continue</a></p></body></html>`;
  const res = new NextResponse(html, {
    status: 200,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "Referrer-Policy": "no-referrer",
    },
  });
  res.headers.append("Set-Cookie", serializeCookie(oauthFlowCookie("", 0)));
  return res;
}
