import { NextResponse } from "next/server";
import type { IssuedAccess, IssuedRefresh } from "@/lib/auth";
import { sessionState } from "@/lib/auth/session-state";
import type { PublicUser } from "@/lib/auth/users";
import { getConfig } from "@/lib/config";
import type { LimitResult } from "@/lib/security/rate-limits";
import {
  accessCookie,
  clearedCookies,
  cookieIdentity,
  pendingCookie,
  refreshCookie,
  serializeCookie,
  webauthnCookie,
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
  const identity = cookieIdentity(line);
  const existing = res.headers.getSetCookie();
  // The common case (a refresh, a sign-in): nothing to replace, the line is appended as it is.
  if (!existing.some((other) => cookieIdentity(other) === identity)) {
    res.headers.append("Set-Cookie", line);
    return;
  }
  res.headers.delete("Set-Cookie");
  for (const l of existing) if (cookieIdentity(l) !== identity) res.headers.append("Set-Cookie", l);
  res.headers.append("Set-Cookie", line);
}

/** Sets the access cookie and, when a new one was minted, the refresh cookie. */
export function setSessionCookies(res: NextResponse, access: IssuedAccess, refresh: IssuedRefresh | null, ttl: number) {
  applyCookie(res, accessCookie(access.token, ttl));
  if (refresh) applyCookie(res, refreshCookie(refresh.token, refresh.maxAge));
  return res;
}

/** Answers a new session like sign-in does: the session state, both cookies, any pending sign-in gone. */
export function signedIn(
  session: { user: PublicUser; access: IssuedAccess; refresh: IssuedRefresh; sessionStartedAt: number },
  accessTokenTtl: number,
  status = 200,
) {
  const res = json(sessionState(session.user, session.access.claims, session.sessionStartedAt), status);
  // A fresh session: any cookies the browser held before are replaced.
  clearSessionCookies(res);
  clearPendingCookie(res);
  return setSessionCookies(res, session.access, session.refresh, accessTokenTtl);
}

/** 401 for a sensitive action when the session's last authentication is too old (step-up). */
export const reauthenticationRequired = () =>
  new HttpError(401, "reauthentication_required", "Confirm it's you to continue: sign in again here.");

/** A sign-in that owes its second step: 202 `{ twoFactorRequired: true }`, the pending cookie, no session. */
export function secondStepRequired(pending: { token: string; expiresAt: number }, now: number) {
  return pendingCookieOn(clearSessionCookies(json({ twoFactorRequired: true }, 202)), pending, now);
}

/** The pending sign-in's cookie on an answer. */
export function pendingCookieOn(res: NextResponse, pending: { token: string; expiresAt: number }, now: number) {
  applyCookie(res, pendingCookie(pending.token, Math.max(1, Math.floor((pending.expiresAt - now) / 1000))));
  return res;
}

/** After the second step (or when it is no longer owed): the pending cookie goes. */
export function clearPendingCookie(res: NextResponse) {
  applyCookie(res, pendingCookie("", 0));
  return res;
}

/** A WebAuthn ceremony's options, with the cookie that binds its challenge to this browser. */
export function ceremonyJson(ceremony: { options: unknown; challengeToken: string; expiresAt: number }, now: number) {
  const res = json(ceremony.options);
  applyCookie(res, webauthnCookie(ceremony.challengeToken, Math.max(1, Math.floor((ceremony.expiresAt - now) / 1000))));
  return res;
}

/** The challenge cookie is one use: cleared whatever the outcome. */
export function clearWebauthnCookie(res: NextResponse) {
  applyCookie(res, webauthnCookie("", 0));
  return res;
}

/** Clears both cookies, the refresh cookie also where a planted copy would sit (lib/server/cookies.ts). */
export function clearSessionCookies(res: NextResponse) {
  for (const c of clearedCookies(getConfig().appUrl.hostname)) applyCookie(res, c);
  return res;
}
