/**
 * The pages that need a signed-in user: /dashboard, /account/* and /admin/*. The proxy guards
 * them; a tab that finds out its session ended leaves them for the sign-in page. `.` counts as a
 * boundary too, so /dashboard.json or /admin.txt can never slip past the guard.
 */
const PROTECTED = /^\/(dashboard|account|admin)(\/|\.|$)/;

/**
 * Whether a request path is protected, judged on the raw path and on its decoded, lower-cased,
 * slash-collapsed form (what the router may resolve it to). Undecodable paths count as
 * protected: fail closed.
 */
export function isProtectedPath(pathname: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return true;
  }
  return PROTECTED.test(pathname) || PROTECTED.test(decoded.toLowerCase().replace(/\/{2,}/g, "/"));
}
