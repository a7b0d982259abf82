/** The access state page scripts see. Never a token. */
export type AuthUser = { id: string; email: string; name: string | null; role: "user" | "admin" };
export type AccessState =
  | {
      status: "authenticated";
      user: AuthUser;
      sessionId: string;
      accessExpiresAt: number;
      sessionStartedAt?: number;
    }
  | { status: "unauthenticated"; reason?: string }
  | { status: "loading" };
