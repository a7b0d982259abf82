/** Plain words for the `reason` the provider puts on /login after a sign-out. */
export const SIGN_IN_NOTICES: Record<string, string> = {
  signed_out: "You have signed out.",
  signed_out_elsewhere: "You signed out in another tab.",
  signed_out_everywhere: "You signed out on all your devices.",
  signed_out_everywhere_elsewhere: "You signed out on all your devices from another tab.",
  ended:
    "Your session has ended: it expired, or it was signed out from another device or by a password change. Sign in again to continue.",
};
