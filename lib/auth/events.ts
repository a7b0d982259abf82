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
  second_factor_required: "Signed in with a password; the second step (authenticator code) was asked for",
  second_factor_failed: "A wrong authenticator or recovery code was entered at sign-in",
  recovery_code_used: "A recovery code was used to sign in",
  two_factor_setup_started: "Two-step verification setup started",
  two_factor_enabled: "Two-step verification turned on; your other devices were signed out",
  two_factor_disabled: "Two-step verification turned off",
  two_factor_reset_by_admin: "An administrator turned off two-step verification for your account",
  recovery_codes_regenerated: "New recovery codes were made; the old ones stopped working",
  provider_linked: "A sign-in provider (GitHub, Google, …) was connected to your account",
  provider_unlinked: "A sign-in provider was disconnected from your account",
  provider_link_refused:
    "Someone signed in with a provider using your address, but it was not connected: sign in and connect it yourself if it was you",
  passkey_added: "A passkey was added",
  passkey_removed: "A passkey was removed",
  passkey_sign_in_failed: "A passkey sign-in was refused",
  reauthenticated: "You confirmed it's you for a sensitive action",
  reauthentication_failed: "A confirmation for a sensitive action failed",
  email_verified: "Email address confirmed",
  email_verification_failed: "Someone opened a link to confirm your address but gave a wrong password",
  mail_suppressed: "Too many mails to your address in an hour: one was not sent",
  register_existing_email: "Someone tried to create a new account with your email address",
  rate_limited: "Too many attempts; requests were slowed down",
  user_created: "Account created by an administrator",
  role_changed: "An administrator changed your role",
  account_disabled: "Your account was disabled by an administrator; every device was signed out",
  account_enabled: "Your account was enabled again by an administrator",
  account_deleted: "Account deleted",
  data_exported: "You downloaded your data",
  csrf_refused: "A request from another website was refused",
  authorization_code_issued: "An app signed in through your browser",
  authorization_code_reused:
    "An app's one-time sign-in code was used twice, which can mean it was copied: the session it started was ended",
  refresh_cookie_conflict:
    "Your browser sent two different sign-in cookies at once (another site on your domain may have planted one), so neither was used and you were signed out",
} as const satisfies Record<string, string>;

export type EventType = keyof typeof PLAIN_WORDS;

export function describeEvent(type: string): string {
  return PLAIN_WORDS[type as EventType] ?? type.replaceAll("_", " ");
}
