/** Cookie names and attributes; why each one: docs/architecture.md, "Cookies". */
export const ACCESS_COOKIE = "__Host-access";
export const REFRESH_COOKIE = "__Secure-refresh";
/** A sign-in that still owes its second step (five minutes, one use): no session yet. */
export const PENDING_COOKIE = "__Host-pending";
/** The WebAuthn challenge this browser asked for (five minutes, one use). */
export const WEBAUTHN_COOKIE = "__Host-webauthn";
/** A provider sign-in under way (sealed: state, PKCE verifier, nonce, next; ten minutes, one use). */
export const OAUTH_COOKIE = "__Host-oauth";
/** The refresh cookie travels to the auth routes only. */
const REFRESH_COOKIE_PATH = "/api/auth";
/**
 * Paths where a refresh cookie the app never set can sit and still reach the auth routes: a
 * sibling subdomain can plant one with `Domain=<parent>; Path=/` (cookie tossing).
 */
const STRAY_REFRESH_PATHS = ["/", "/api"];

export type CookieSpec = {
  name: string;
  value: string;
  httpOnly: true;
  secure: true;
  sameSite: "strict" | "lax";
  path: string;
  maxAge: number;
  domain?: string;
};

export function accessCookie(token: string, maxAge: number): CookieSpec {
  return { name: ACCESS_COOKIE, value: token, httpOnly: true, secure: true, sameSite: "strict", path: "/", maxAge };
}

export function refreshCookie(token: string, maxAge: number): CookieSpec {
  return {
    name: REFRESH_COOKIE,
    value: token,
    httpOnly: true,
    secure: true,
    sameSite: "strict",
    path: REFRESH_COOKIE_PATH,
    maxAge,
  };
}

/**
 * The pending sign-in. SameSite=Lax, not Strict: a provider's callback is the end of a redirect
 * chain that began on the provider's site, and the second-step page it sends the person to must
 * see it. It grants nothing by itself (a code is still needed, posted same-origin).
 */
export function pendingCookie(token: string, maxAge: number): CookieSpec {
  return { name: PENDING_COOKIE, value: token, httpOnly: true, secure: true, sameSite: "lax", path: "/", maxAge };
}

/** Lax: it must come back on the provider's cross-site redirect to our callback. */
export function oauthFlowCookie(sealed: string, maxAge: number): CookieSpec {
  return { name: OAUTH_COOKIE, value: sealed, httpOnly: true, secure: true, sameSite: "lax", path: "/", maxAge };
}

export function webauthnCookie(token: string, maxAge: number): CookieSpec {
  return { name: WEBAUTHN_COOKIE, value: token, httpOnly: true, secure: true, sameSite: "strict", path: "/", maxAge };
}

/**
 * The domains a planted `Domain=` refresh cookie can carry for this host: the host and each parent
 * with two labels or more (a host-only deletion does not remove a domain cookie). None for an IP
 * address or a single-label host; a public suffix among them is ignored by browsers.
 */
export function cookieDomainsFor(hostname: string): string[] {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (!host.includes(".") || /^[\d.]+$/.test(host) || host.includes(":")) return [];
  const labels = host.split(".");
  return labels.slice(0, -1).map((_, i) => labels.slice(i).join("."));
}

/**
 * Clearing repeats Path and Secure: browsers ignore a prefixed cookie's deletion otherwise. The
 * refresh cookie is cleared at its own path and at the paths (and parent domains) where a planted
 * copy would sit, so signing in or out also removes a tossed cookie.
 */
export function clearedCookies(hostname = ""): CookieSpec[] {
  const refreshClears: CookieSpec[] = [];
  for (const domain of [undefined, ...cookieDomainsFor(hostname)]) {
    for (const path of [REFRESH_COOKIE_PATH, ...STRAY_REFRESH_PATHS])
      refreshClears.push({ ...refreshCookie("", 0), path, domain });
  }
  return [accessCookie("", 0), ...refreshClears];
}

/** One Set-Cookie line. Appended one by one: Next's res.cookies keeps one cookie per name, not per path. */
export function serializeCookie(c: CookieSpec): string {
  const parts = [`${c.name}=${encodeURIComponent(c.value)}`, `Path=${c.path}`];
  if (c.domain) parts.push(`Domain=${c.domain}`);
  parts.push(
    c.maxAge > 0
      ? `Expires=${new Date(Date.now() + c.maxAge * 1000).toUTCString()}`
      : "Expires=Thu, 01 Jan 1970 00:00:00 GMT",
  );
  parts.push(`Max-Age=${c.maxAge}`);
  if (c.secure) parts.push("Secure");
  if (c.httpOnly) parts.push("HttpOnly");
  parts.push(`SameSite=${c.sameSite === "strict" ? "Strict" : "Lax"}`);
  return parts.join("; ");
}

/** What a browser keys a cookie by: name, path and domain (from a Set-Cookie line). */
export function cookieIdentity(setCookie: string): string {
  const [pair, ...attrs] = setCookie.split(";").map((s) => s.trim());
  const attr = (key: string) => attrs.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1) ?? "";
  return [pair.slice(0, pair.indexOf("=")), attr("path") || "/", attr("domain").toLowerCase()].join("\n");
}

/**
 * What the Cookie header holds under `name`. Next's req.cookies keeps one value when a name
 * repeats (the last), and browsers send a planted `Path=/` cookie after ours, so every value is
 * read here: two or more different values are a conflict and none of them may be used.
 * Identical repeats are a duplicate, not a conflict.
 */
export type CookieRead = { value?: string; conflict: false } | { conflict: true; count: number };

export function readCookie(header: string | null | undefined, name: string): CookieRead {
  const values = new Set<string>();
  for (const pair of (header ?? "").split(";")) {
    const eq = pair.indexOf("=");
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // kept as sent: still a distinct value
    }
    values.add(value);
  }
  if (values.size > 1) return { conflict: true, count: values.size };
  const [value] = values;
  return { value, conflict: false };
}

/** The cookie's value when exactly one value was sent; two different ones count as none. */
export function soleCookieValue(header: string | null | undefined, name: string): string | undefined {
  const read = readCookie(header, name);
  return read.conflict ? undefined : read.value;
}
