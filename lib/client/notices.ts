/** Plain words for the `reason` the provider puts on /login after a sign-out. */
export const SIGN_IN_NOTICES: Record<string, string> = {
  signed_out: "You have signed out.",
  signed_out_elsewhere: "You signed out in another tab.",
  signed_out_everywhere: "You signed out on all your devices.",
  signed_out_everywhere_elsewhere: "You signed out on all your devices from another tab.",
  ended:
    "Your session has ended: it expired, or it was signed out from another device or by a password change. Sign in again to continue.",
  // The second step sent the person back: its pending sign-in is gone.
  sign_in_expired: "That sign-in expired before the code was entered. Sign in again.",
  too_many_attempts: "Too many wrong codes. Sign in again with your password.",
};

/** Plain words for each `/login?error=…` a provider sign-in can end with (the callback's codes). */
export const PROVIDER_SIGN_IN_ERRORS: Record<string, string> = {
  access_denied: "You cancelled signing in with the provider. Nothing was changed.",
  provider_state: "That sign-in link expired or was opened in another browser. Try again.",
  provider_error: "The provider's answer could not be checked, so you were not signed in. Try again.",
  provider_unavailable: "We could not reach the provider. Try again in a moment, or sign in another way.",
  provider_email_unverified:
    "The provider has not confirmed your email address. Confirm it there, or sign in another way.",
  account_exists:
    "An account with this email address already exists. Sign in with your password or a passkey, then connect the provider on the Security page.",
  account_disabled: "This account is disabled. Contact the administrator.",
  email_unverified: "Confirm your email address first: open the link we sent you, then sign in.",
};

/** `/account/security?error=…` after connecting a provider did not work (the callback's codes). */
export const PROVIDER_CONNECT_ERRORS: Record<string, string> = {
  access_denied: "You cancelled connecting the account. Nothing was changed.",
  invalid_state: "That connection attempt expired or was opened in another browser. Try again.",
  invalid_response: "The provider's answer could not be checked, so nothing was connected. Try again.",
  unavailable: "We could not reach the provider. Try again in a moment.",
  no_verified_email: "The provider has not confirmed your email address there, so it was not connected.",
  session_ended: "Your session ended while you were away. Sign in and try again.",
  linked_elsewhere: "That provider account is already connected to another account here.",
  already_connected: "That provider is already connected to your account.",
};
