import type { AuthenticatedSessionState } from "@/lib/auth/session-state";

export type { AuthenticatedSessionState } from "@/lib/auth/session-state";

/**
 * Why the user is signed out, when the provider knows:
 * - "signed_out": they signed out (in this tab or another one)
 * - "signed_out_everywhere": they chose "Sign out everywhere"
 * - "reuse": the refresh token was used twice, so the server ended the session for safety
 * - "ended": the session expired or was ended elsewhere (devices page, password change, admin)
 */
export type SignOutReason = "signed_out" | "signed_out_everywhere" | "reuse" | "ended";

/**
 * What the page knows about its session, kept in memory (never a token): the server's session
 * state, plus why it ended and a loading state before the first answer.
 */
export type ClientAuthState =
  AuthenticatedSessionState | { status: "unauthenticated"; reason?: SignOutReason } | { status: "loading" };

export function isAuthenticated(s: ClientAuthState): s is AuthenticatedSessionState {
  return s.status === "authenticated";
}

/** An authenticated session state as the server sends it (checked before it is trusted). */
export function isSessionState(value: unknown): value is AuthenticatedSessionState {
  const v = value as AuthenticatedSessionState | null;
  return (
    !!v &&
    v.status === "authenticated" &&
    typeof v.accessExpiresAt === "number" &&
    !!v.user &&
    typeof v.sessionId === "string"
  );
}
