/** The access state page scripts see. Never a token: tokens live in httpOnly cookies only. */
export type AuthUser = { id: string; email: string; name: string | null; role: "user" | "admin" };

export type AuthenticatedState = {
  status: "authenticated";
  user: AuthUser;
  /** The session (refresh family) id; the devices page marks it as "this device". */
  sessionId: string;
  /** When the current access token expires (ms since the epoch, server clock). */
  accessExpiresAt: number;
  sessionStartedAt?: number;
};

/**
 * Why the user is signed out, when the provider knows:
 * - "signed_out": they signed out (in this tab or another one)
 * - "signed_out_everywhere": they chose "Sign out everywhere"
 * - "reuse": the refresh token was used twice, so the server ended the session for safety
 * - "ended": the session expired or was ended elsewhere (devices page, password change, admin)
 */
export type SignOutReason = "signed_out" | "signed_out_everywhere" | "reuse" | "ended";

export type AccessState =
  | AuthenticatedState
  | { status: "unauthenticated"; reason?: SignOutReason }
  | { status: "loading" };
