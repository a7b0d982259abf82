export const DEFAULT_AFTER_LOGIN = "/dashboard";

/**
 * `next` after sign-in: accepted only as a same-origin path. Anything that could leave the site
 * (`//x`, `/\x`, schemes, encoded slashes, control characters) falls back to /dashboard.
 */
/**
 * The one API path a sign-in may return to: a native app's authorization request (RFC 8252), which
 * needs the signed-in browser and then redirects to the app. Its query (redirect URI, challenge,
 * state) is longer than a page's.
 */
const AUTHORIZE_PATH = "/api/auth/authorize";

export function safeNextPath(value: string | null | undefined, fallback = DEFAULT_AFTER_LOGIN): string {
  if (!value || value.length > (value.startsWith(`${AUTHORIZE_PATH}?`) ? 2048 : 512)) return fallback;
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return fallback;
  // Control characters, whitespace and backslashes have no place in our paths.
  if (/[\u0000-\u0020\u007f-\u009f\\]/.test(value)) return fallback;
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return fallback;
  }
  // Encoded tricks (%2F%2F, %5C, encoded control characters) are refused as well.
  if (decoded.startsWith("//") || decoded.startsWith("/\\") || /[\u0000-\u001f\u007f\\]/.test(decoded)) return fallback;
  // Resolve against a dummy origin: the result must stay on it.
  const base = "http://same-origin.invalid";
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base) return fallback;
  // Never send someone back to the auth pages themselves or to the API.
  if (url.pathname === "/login" || url.pathname === "/register") return fallback;
  if (url.pathname.startsWith("/api/") && url.pathname !== AUTHORIZE_PATH) return fallback;
  // Dot segments can resolve to a path that starts with "//" ("/.//evil.example",
  // "/a/..//evil.example"): as a Location or in the browser that is another host. Check the result.
  const path = url.pathname + url.search + url.hash;
  if (path.startsWith("//") || path.startsWith("/\\")) return fallback;
  return path;
}
