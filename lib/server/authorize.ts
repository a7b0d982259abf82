import type { NextRequest } from "next/server";
import type { Runtime } from "@/lib/server/runtime";

/**
 * The authorization endpoint's answers (RFC 6749 §4.1.2, RFC 9207): redirects that carry a code
 * or an error to the app, the login page's round trip, and a plain page when the app cannot be
 * trusted with a redirect. Never cached, never a Referer.
 */
const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache", "Referrer-Policy": "no-referrer" };

/** A 302 to the app's (already checked) redirect URI with these parameters and our issuer. */
export function authorizationRedirect(rt: Runtime, redirectUri: string, params: Record<string, string | null>) {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.set(name, value);
  // RFC 9207: the app checks who answered, so another server's code cannot be slipped in (mix-up).
  url.searchParams.set("iss", rt.config.issuer);
  return new Response(null, { status: 302, headers: { Location: url.href, ...NO_STORE } });
}

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** A page for a request that names no registered app or redirect: nothing is sent anywhere. */
export function authorizationPage(status: number, message: string) {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign-in request refused</title></head>
<body><main><h1>Sign-in request refused</h1><p>${escape(message)}</p>
<p>Nothing was signed in and you were not sent anywhere. Go back to the app and try again; if this keeps happening, the app may be misconfigured.</p></main></body></html>`;
  return new Response(body, { status, headers: { "Content-Type": "text/html; charset=utf-8", ...NO_STORE } });
}

/** Signed out: our login page, which comes back to this very request (a same-origin `next`). */
export function toLogin(rt: Runtime, req: NextRequest) {
  const login = new URL("/login", rt.config.appUrl);
  login.searchParams.set("next", `${req.nextUrl.pathname}${req.nextUrl.search}`);
  return new Response(null, { status: 302, headers: { Location: login.href, ...NO_STORE } });
}
