/** Audit event types. The detail stored with each is small JSON and never a token or password. */
export const EVENT_TYPES = [
  "register",
  "sign_in",
  "sign_in_failed",
  "refresh",
  "refresh_reuse_detected",
  "refresh_failed",
  "sign_out",
  "sign_out_everywhere",
  "password_changed",
  "password_change_failed",
  "session_ended",
  "sessions_ended_by_admin",
  "rate_limited",
  "csrf_refused",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type RequestMeta = { ip: string | null; userAgent: string | null };

const PLAIN_WORDS: Record<EventType, string> = {
  register: "Account created",
  sign_in: "Signed in",
  sign_in_failed: "Failed sign-in attempt",
  refresh: "Session refreshed",
  refresh_reuse_detected: "A stolen or replayed session token was detected; all your sessions were ended",
  refresh_failed: "Session could not be refreshed",
  sign_out: "Signed out",
  sign_out_everywhere: "Signed out on all devices",
  password_changed: "Password changed; other devices signed out",
  password_change_failed: "Password change failed (wrong current password)",
  session_ended: "A session was ended from the devices page",
  sessions_ended_by_admin: "An administrator ended all your sessions",
  rate_limited: "Too many attempts; requests were slowed down",
  csrf_refused: "A cross-site request was refused",
};

export function describeEvent(type: string): string {
  return PLAIN_WORDS[type as EventType] ?? type.replaceAll("_", " ");
}
