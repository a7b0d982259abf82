import type { PublicUser } from "@/lib/auth";
import type { AccessClaims } from "@/lib/auth/access-token";

/** What page scripts may read about the access state: never a token. */
export function accessState(user: PublicUser, claims: AccessClaims, sessionStartedAt?: number) {
  return {
    status: "authenticated" as const,
    user,
    sessionId: claims.sid,
    accessExpiresAt: claims.exp * 1000,
    ...(sessionStartedAt !== undefined ? { sessionStartedAt } : {}),
  };
}
