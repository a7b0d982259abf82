import { headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { ACCESS_COOKIE, soleCookieValue } from "@/lib/server/cookies";
import { getRuntime } from "@/lib/server/runtime";

/**
 * The data-access check for server components and pages: the same full check route handlers use
 * (auth.authenticate), memoised per request. Never trust the proxy alone (CVE-2025-29927).
 */
export const getCurrentUser = cache(async () => {
  const token = soleCookieValue((await headers()).get("cookie"), ACCESS_COOKIE); // two different ones: signed out
  if (!token) return null;
  const rt = await getRuntime();
  const result = await rt.auth.authenticate(token);
  return result.ok ? result : null;
});

/** For protected pages: the user, or a redirect to sign-in that comes back here. */
export async function requirePageUser(path: string) {
  const current = await getCurrentUser();
  if (!current) redirect(`/login?next=${encodeURIComponent(path)}`);
  return current;
}

/**
 * For admin pages: signed in (else the sign-in redirect) and role admin according to the
 * database (else a 403 page via app/forbidden.tsx). The role comes from the full check, not from
 * the token's claim.
 */
export async function requirePageAdmin(path: string) {
  const current = await requirePageUser(path);
  if (current.user.role !== "admin") forbidden();
  return current;
}
