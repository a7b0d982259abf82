import { NextResponse, type NextRequest } from "next/server";
import { getConfig } from "@/lib/config";
import { ACCESS_COOKIE, soleCookieValue } from "@/lib/server/cookies";
import { corsHeaders } from "@/lib/security/origin";
import { safeNextPath } from "@/lib/routing/safe-next-path";
import { securityHeaders } from "@/lib/security/headers";
import { refusalBody, refuseOddRequest } from "@/lib/security/odd-requests";
import { verifyAccessToken } from "@/lib/auth/access-token";
import { createVerifiedTokenCache } from "@/lib/auth/verified-token-cache";
import { isProtectedPath } from "@/lib/routing/protected-paths";
import { getKeySet } from "@/lib/server/keys";

/**
 * Next 16's request interceptor. Two jobs:
 * 1. Security headers (CSP with a per-request nonce) on every page and API response.
 * 2. An optimistic guard for /dashboard, /account/* and /admin/*: the access JWT's signature and
 *    claims, no database. The full check (token version, deny-list, family) happens again in
 *    every page and route handler; this layer is never the only one (CVE-2025-29927).
 */
const tokenCache = createVerifiedTokenCache(10_000);
const NO_STORE_PATHS = /^\/api\/(auth|me|admin)(\/|$)/;

async function hasValidAccessToken(req: NextRequest): Promise<boolean> {
  const token = soleCookieValue(req.headers.get("cookie"), ACCESS_COOKIE); // two different ones: none
  if (!token) return false;
  const now = Date.now();
  if (tokenCache.get(token, now)) return true;
  try {
    const config = getConfig();
    const result = await verifyAccessToken(token, await getKeySet(), config, now);
    // A DPoP-bound token is never valid as a cookie (the full check refuses it too).
    if (!result.ok || result.claims.cnf) return false;
    tokenCache.set(token, result.claims);
    return true;
  } catch {
    return false;
  }
}

export async function proxy(req: NextRequest) {
  const config = getConfig();
  const nonce = btoa(crypto.randomUUID());
  const headers = securityHeaders(nonce, {
    dev: process.env.NODE_ENV === "development",
    production: config.production,
  });

  if (isProtectedPath(req.nextUrl.pathname) && !(await hasValidAccessToken(req))) {
    const next = safeNextPath(req.nextUrl.pathname + req.nextUrl.search);
    // Built from APP_URL, never from Host or X-Forwarded-Host.
    const target = new URL("/login", config.appUrl);
    target.searchParams.set("next", next);
    const res = NextResponse.redirect(target, 307);
    for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
    res.headers.set("Cache-Control", "no-store");
    return res;
  }

  // Odd methods and undecodable paths: a 400 or 405, never Next's 500. The server hook
  // (lib/server/request-guard.ts) answers them first; this covers a server without it.
  const refusal = refuseOddRequest(req.method, req.nextUrl.pathname);
  if (refusal) {
    const { contentType, body } = refusalBody(refusal, req.nextUrl.pathname);
    const res = new NextResponse(body, {
      status: refusal.status,
      headers: { "Content-Type": contentType, "Cache-Control": "no-store" },
    });
    if (refusal.allow) res.headers.set("Allow", refusal.allow);
    for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
    return res;
  }

  // CORS only for allow-listed origins on the read-only identity/key routes (lib/security/origin.ts).
  const cors = config.corsOrigins.length
    ? corsHeaders(req.nextUrl.pathname, req.headers.get("origin"), config.corsOrigins, req.method === "OPTIONS")
    : null;
  if (cors && req.method === "OPTIONS") {
    const res = new NextResponse(null, { status: 204, headers: { Allow: "GET, HEAD, OPTIONS", ...cors } });
    for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
    return res;
  }

  const requestHeaders = new Headers(req.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", headers["Content-Security-Policy"]);
  const res = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
  if (cors) for (const [k, v] of Object.entries(cors)) res.headers.set(k, v);
  // Auth and identity answers are never cached, Next's own (405 for PUT, 404) included.
  if (NO_STORE_PATHS.test(req.nextUrl.pathname)) res.headers.set("Cache-Control", "no-store");
  return res;
}

export const config = {
  // Everything but static assets; exact names, so /robots.txtX or /_next/staticX still get the proxy's headers.
  matcher: ["/((?!_next/static/|_next/image$|favicon\\.ico$|robots\\.txt$).*)"],
};
