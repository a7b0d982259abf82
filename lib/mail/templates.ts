import type { MailIntent, MailKind } from "@/lib/auth/mail";

/**
 * The mails the auth core decides to send (lib/auth/mail.ts), rendered as plain text and HTML.
 * Small on purpose: a team changes the wording here. Links carry their token in the URL fragment
 * (never sent to a server, so never in a log or a Referer); the page reads it and posts it.
 */
export type OutgoingMail = {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** For the log and the outbox file name: which template, never the token. */
  kind: MailKind;
};

/** One mail, ready for a transport. */
export function renderMail(to: string, intent: MailIntent, appName: string): OutgoingMail {
  return render(intent.kind, to, appName, contentOf(intent));
}

function contentOf(intent: MailIntent): Mail {
  switch (intent.kind) {
    case "password_reset":
      return passwordResetMail(intent.link, intent.ttlSeconds);
    case "email_verification":
      return verificationMail(intent.link, intent.ttlSeconds);
    case "password_changed":
      return passwordChangedMail(intent.resetLink);
    case "account_exists":
      return accountExistsMail(intent.resetLink);
    case "recovery_code_used":
      return recoveryCodeUsedMail(intent.codesLeft, intent.securityLink);
    case "two_factor_turned_off":
      return twoFactorTurnedOffMail(intent.byAdministrator, intent.securityLink);
    case "provider_connected":
      return providerConnectedMail(intent.providerName, intent.securityLink);
    case "account_deleted":
      return accountDeletedMail(intent.registerLink);
  }
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

type Mail = {
  subject: string;
  paragraphs: string[];
  action?: { label: string; url: string };
};

/** One mail in both forms, signed with the product's name (APP_NAME). */
function render(kind: MailKind, to: string, appName: string, { subject, paragraphs, action }: Mail): OutgoingMail {
  const text = [...paragraphs, ...(action ? [`${action.label}: ${action.url}`] : []), `— ${appName}`].join("\n\n");
  const html = [
    ...paragraphs.map((p) => `<p>${escape(p)}</p>`),
    ...(action ? [`<p><a href="${escape(action.url)}">${escape(action.label)}</a></p>`] : []),
    `<p>— ${escape(appName)}</p>`,
  ].join("\n");
  return { kind, to, subject, text, html };
}

const minutes = (seconds: number) =>
  seconds >= 7200 ? `${Math.round(seconds / 3600)} hours` : `${Math.round(seconds / 60)} minutes`;

function passwordResetMail(url: string, ttlSeconds: number): Mail {
  return {
    subject: "Reset your password",
    paragraphs: [
      "Someone (hopefully you) asked to reset the password of your account.",
      `The link below works once, for ${minutes(ttlSeconds)}. Setting a new password signs you out on every device.`,
      "If you did not ask for this, ignore this mail: your password stays as it is.",
    ],
    action: { label: "Set a new password", url },
  };
}

function verificationMail(url: string, ttlSeconds: number): Mail {
  return {
    subject: "Confirm your email address",
    paragraphs: [
      "Confirm that this address is yours: open the link below. If you are not signed in on that device, it asks for the password you chose when you signed up.",
      `The link works once, for ${minutes(ttlSeconds)}.`,
      "If you did not sign up, ignore this mail: nothing happens without that password.",
    ],
    action: { label: "Confirm my email address", url },
  };
}

function passwordChangedMail(resetUrl: string): Mail {
  return {
    subject: "Your password was changed",
    paragraphs: [
      "The password of your account was just changed, and your other devices were signed out.",
      "If this was not you, reset your password now and review your devices.",
    ],
    action: { label: "Reset your password", url: resetUrl },
  };
}

function accountExistsMail(forgotUrl: string): Mail {
  return {
    subject: "Someone tried to create an account with your address",
    paragraphs: [
      "Someone tried to create a new account with this email address, but you already have one.",
      "If it was you, sign in instead; if you forgot your password, you can reset it.",
      "If it was not you, you can ignore this mail.",
    ],
    action: { label: "Reset your password", url: forgotUrl },
  };
}

function recoveryCodeUsedMail(codesLeft: number, securityLink: string): Mail {
  return {
    subject: "A recovery code was used to sign in",
    paragraphs: [
      `Someone signed in to your account with one of your recovery codes. ${codesLeft} of them ${codesLeft === 1 ? "is" : "are"} left.`,
      "If this was you (a lost phone?), set up two-step verification again and make new recovery codes.",
      "If it was not you, reset your password now: someone has your password and a recovery code.",
    ],
    action: { label: "Review your security settings", url: securityLink },
  };
}

function twoFactorTurnedOffMail(byAdministrator: boolean, securityLink: string): Mail {
  return {
    subject: "Two-step verification was turned off",
    paragraphs: [
      byAdministrator
        ? "An administrator turned off two-step verification for your account (usually after you asked for help with a lost phone)."
        : "Two-step verification was turned off for your account.",
      "Signing in now needs only your password (or a passkey). Turn it on again from your security settings.",
      "If you did not ask for this, reset your password and tell us.",
    ],
    action: { label: "Your security settings", url: securityLink },
  };
}

function providerConnectedMail(providerName: string, securityLink: string): Mail {
  return {
    subject: `${providerName} can now sign in to your account`,
    paragraphs: [
      `A ${providerName} account was connected to your account: "Continue with ${providerName}" now signs in to it.`,
      "If this was not you, disconnect it from your security settings and reset your password.",
    ],
    action: { label: "Your security settings", url: securityLink },
  };
}

function accountDeletedMail(registerUrl: string): Mail {
  return {
    subject: "Your account was deleted",
    paragraphs: [
      "Your account and what it held (sessions, passkeys, connected accounts, two-step settings) were deleted, and every device was signed out.",
      "This address can be used to create a new account at any time.",
      "If you did not do this, someone had your password and a recent sign-in: create a new account and change the passwords you reuse elsewhere.",
    ],
    action: { label: "Create a new account", url: registerUrl },
  };
}
