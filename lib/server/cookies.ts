/** Cookie names and attributes; why each one: docs/architecture.md, "Cookies". */
export const ACCESS_COOKIE = "__Host-access";
export const REFRESH_COOKIE = "__Secure-refresh";
/** The refresh cookie travels to the auth routes only. */
export const REFRESH_COOKIE_PATH = "/api/auth";

export type CookieSpec = {
  name: string;
  value: string;
  httpOnly: true;
  secure: true;
  sameSite: "strict";
  path: string;
  maxAge: number;
};

export function accessCookie(token: string, maxAge: number): CookieSpec {
  return { name: ACCESS_COOKIE, value: token, httpOnly: true, secure: true, sameSite: "strict", path: "/", maxAge };
}

export function refreshCookie(token: string, maxAge: number): CookieSpec {
  return { name: REFRESH_COOKIE, value: token, httpOnly: true, secure: true, sameSite: "strict", path: REFRESH_COOKIE_PATH, maxAge };
}

/** Clearing repeats Path and Secure: browsers ignore a prefixed cookie's deletion otherwise. */
export function clearedCookies(): CookieSpec[] {
  return [accessCookie("", 0), refreshCookie("", 0)];
}
