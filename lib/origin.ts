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
