import { NextResponse } from "next/server";
import type { IssuedAccess, IssuedRefresh } from "@/lib/auth";
import { getConfig } from "@/lib/config";
import type { LimitResult } from "@/lib/security/rate-limits";
import {
  accessCookie,
  clearedCookies,
  cookieIdentity,
  refreshCookie,
  serializeCookie,
  type CookieSpec,
} from "@/lib/server/cookies";

/** What route handlers answer with: JSON (never cached), JSON errors, and the session cookies. */

const NO_STORE = { "Cache-Control": "no-store" };

/** A problem with one field of a request body: field name (dotted path) → what is wrong. */
export type FieldErrors = Record<string, string>;

export class HttpError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly headers: Record<string, string> = {},
    /** Validation problems by field, sent as data (`fields`) so a form shows each next to its input. */
    public readonly fields?: FieldErrors,
  ) {
    super(message);
  }
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}) {
  return NextResponse.json(body, { status, headers: { ...NO_STORE, ...headers } });
}

export function errorJson(
  status: number,
  error: string,
  message: string,
  headers: Record<string, string> = {},
  fields?: FieldErrors,
) {
  return json(fields ? { error, message, fields } : { error, message }, status, headers);
}

/** For GET/HEAD (or any unlisted method) on a route that changes state. */
export function methodNotAllowed(allowed: string, answer = errorJson) {
  return () => answer(405, "method_not_allowed", `Use ${allowed} for this endpoint.`, { Allow: allowed });
}

export function rateLimited(limit: Extract<LimitResult, { ok: false }>) {
  return new HttpError(429, "rate_limited", "Too many attempts. Wait a moment and try again.", {
    "Retry-After": String(limit.retryAfter),
  });
}

/** One Set-Cookie line per cookie identity (name, path, domain): a later one replaces an earlier one. */
function applyCookie(res: NextResponse, c: CookieSpec) {
  const line = serializeCookie(c);
  const kept = res.headers.getSetCookie().filter((other) => cookieIdentity(other) !== cookieIdentity(line));
  res.headers.delete("Set-Cookie");
  for (const l of [...kept, line]) res.headers.append("Set-Cookie", l);
}

/** Sets the access cookie and, when a new one was minted, the refresh cookie. */
export function setSessionCookies(res: NextResponse, access: IssuedAccess, refresh: IssuedRefresh | null, ttl: number) {
  applyCookie(res, accessCookie(access.token, ttl));
  if (refresh) applyCookie(res, refreshCookie(refresh.token, refresh.maxAge));
  return res;
}

/** Clears both cookies, the refresh cookie also where a planted copy would sit (lib/server/cookies.ts). */
export function clearSessionCookies(res: NextResponse) {
  for (const c of clearedCookies(getConfig().appUrl.hostname)) applyCookie(res, c);
  return res;
}
