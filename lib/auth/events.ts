export type RequestMeta = { ip: string | null; userAgent: string | null };

/**
 * Audit event types, and what each means to the person it happened to, in plain words. The detail
 * stored with an event is small JSON and never a token or password.
 */
const PLAIN_WORDS = {
  register: "Account created",
  sign_in: "Signed in",
  sign_in_failed: "Someone tried to sign in with a wrong password",
  refresh: "Session renewed",
  refresh_grace: "A session was renewed twice at once (two tabs, or a copied token used within seconds)",
  refresh_recovered: "A session was renewed again after the answer to an earlier renewal was lost",
  refresh_reuse_detected:
    "A sign-in token was used twice, which can mean it was copied. For your safety we ended that session on every device that had it",
  refresh_failed: "A session could not be renewed (it had expired or was already ended)",
  sign_out: "Signed out",
  sign_out_everywhere: "Signed out on all devices",
  password_changed: "Password changed; your other devices were signed out",
  password_change_failed: "Password change refused: the current password was wrong",
  session_ended: "A device was signed out from the devices page",
  sessions_ended_by_admin: "An administrator signed you out on all devices",
  password_reset_requested: "A password reset link was requested",
  password_reset_completed: "Password reset with an emailed link; every device was signed out",
  email_verification_sent: "A link to confirm your email address was sent",
  email_verified: "Email address confirmed",
  email_verification_failed: "Someone opened a link to confirm your address but gave a wrong password",
  mail_suppressed: "Too many mails to your address in an hour: one was not sent",
  register_existing_email: "Someone tried to create a new account with your email address",
  rate_limited: "Too many attempts; requests were slowed down",
  csrf_refused: "A request from another website was refused",
  refresh_cookie_conflict:
    "Your browser sent two different sign-in cookies at once (another site on your domain may have planted one), so neither was used and you were signed out",
} as const satisfies Record<string, string>;

export type EventType = keyof typeof PLAIN_WORDS;

export function describeEvent(type: string): string {
  return PLAIN_WORDS[type as EventType] ?? type.replaceAll("_", " ");
}
