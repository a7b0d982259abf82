import type { AccessClaims } from "@/lib/auth/access-token";
import type { PublicUser } from "@/lib/auth/users";

/**
 * The session state page scripts may read (GET /api/auth/session, and the answer of sign-in,
 * registration, refresh and password change): who, which session, until when. Never a token.
 */
type SessionState =
  | {
      status: "authenticated";
      user: PublicUser;
      /** The session (refresh family) id; the devices page marks it as "this device". */
      sessionId: string;
      /** When the current access token expires (ms since the epoch, server clock). */
      accessExpiresAt: number;
      /** When this session was signed in (ms since the epoch). */
      sessionStartedAt: number;
    }
  | { status: "unauthenticated" };

export type AuthenticatedSessionState = Extract<SessionState, { status: "authenticated" }>;

export function sessionState(
  user: PublicUser,
  claims: AccessClaims,
  sessionStartedAt: number,
): AuthenticatedSessionState {
  return { status: "authenticated", user, sessionId: claims.sid, accessExpiresAt: claims.exp * 1000, sessionStartedAt };
}
