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
export function renderMail(to: string, intent: MailIntent): OutgoingMail {
  switch (intent.kind) {
    case "password_reset":
      return passwordResetMail(to, intent.link, intent.ttlSeconds);
    case "email_verification":
      return verificationMail(to, intent.link, intent.ttlSeconds);
    case "password_changed":
      return passwordChangedMail(to, intent.resetLink);
    case "account_exists":
      return accountExistsMail(to, intent.resetLink);
  }
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function render(
  kind: MailKind,
  to: string,
  subject: string,
  paragraphs: string[],
  action?: { label: string; url: string },
): OutgoingMail {
  const text = [...paragraphs, ...(action ? [`${action.label}: ${action.url}`] : []), "— Auth Starter"].join("\n\n");
  const html = [
    ...paragraphs.map((p) => `<p>${escape(p)}</p>`),
    ...(action ? [`<p><a href="${escape(action.url)}">${escape(action.label)}</a></p>`] : []),
    "<p>— Auth Starter</p>",
  ].join("\n");
  return { kind, to, subject, text, html };
}

const minutes = (seconds: number) =>
  seconds >= 7200 ? `${Math.round(seconds / 3600)} hours` : `${Math.round(seconds / 60)} minutes`;

function passwordResetMail(to: string, url: string, ttlSeconds: number): OutgoingMail {
  return render(
    "password_reset",
    to,
    "Reset your password",
    [
      "Someone (hopefully you) asked to reset the password of your account.",
      `The link below works once, for ${minutes(ttlSeconds)}. Setting a new password signs you out on every device.`,
      "If you did not ask for this, ignore this mail: your password stays as it is.",
    ],
    { label: "Set a new password", url },
  );
}

function verificationMail(to: string, url: string, ttlSeconds: number): OutgoingMail {
  return render(
    "email_verification",
    to,
    "Confirm your email address",
    [
      "Confirm that this address is yours: open the link below. If you are not signed in on that device, it asks for the password you chose when you signed up.",
      `The link works once, for ${minutes(ttlSeconds)}.`,
      "If you did not sign up, ignore this mail: nothing happens without that password.",
    ],
    { label: "Confirm my email address", url },
  );
}

function passwordChangedMail(to: string, signInUrl: string): OutgoingMail {
  return render(
    "password_changed",
    to,
    "Your password was changed",
    [
      "The password of your account was just changed, and your other devices were signed out.",
      "If this was not you, reset your password now and review your devices.",
    ],
    { label: "Reset your password", url: signInUrl },
  );
}

function accountExistsMail(to: string, forgotUrl: string): OutgoingMail {
  return render(
    "account_exists",
    to,
    "Someone tried to create an account with your address",
    [
      "Someone tried to create a new account with this email address, but you already have one.",
      "If it was you, sign in instead; if you forgot your password, you can reset it.",
      "If it was not you, you can ignore this mail.",
    ],
    { label: "Reset your password", url: forgotUrl },
  );
}
