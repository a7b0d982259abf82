/**
 * Cross-site request check for state-changing requests a cookie authenticates (login and
 * register too: login CSRF). Accepted only when Origin is the app's own origin, or when there is
 * no Origin and Sec-Fetch-Site says same-origin. `Origin: null` and anything else are refused.
 */
export function isSameOriginRequest(headers: Headers, appOrigin: string): boolean {
  const origin = headers.get("origin");
  if (origin !== null) return origin === appOrigin;
  return headers.get("sec-fetch-site") === "same-origin";
}

/**
 * CORS. Off unless CORS_ORIGINS lists origins, and then only for the read-only identity and key
 * routes below, only for an exact match of the request's Origin: never a reflected arbitrary
 * origin, never `*` with credentials. State-changing routes never answer cross-origin.
 */
const CORS_ROUTES: Record<string, { credentials: boolean }> = {
  "/api/me": { credentials: true },
  "/.well-known/jwks.json": { credentials: false },
};

export function corsHeaders(
  pathname: string,
  origin: string | null,
  allowList: readonly string[],
  preflight = false,
): Record<string, string> | null {
  if (allowList.length === 0) return null;
  const route = CORS_ROUTES[pathname];
  if (!route) return null;
  // The answer depends on Origin from here on: caches must keep one copy per origin.
  const headers: Record<string, string> = { Vary: "Origin" };
  if (origin === null || origin === "null" || !allowList.includes(origin)) return headers;
  headers["Access-Control-Allow-Origin"] = origin;
  if (route.credentials) headers["Access-Control-Allow-Credentials"] = "true";
  if (preflight) {
    headers["Access-Control-Allow-Methods"] = "GET, HEAD";
    headers["Access-Control-Allow-Headers"] = "Authorization";
    headers["Access-Control-Max-Age"] = "600";
  }
  return headers;
}
