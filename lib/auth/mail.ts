/**
 * The mails the core decides to send, as data: which kind, to whom, and what the text needs (a
 * link, a lifetime). lib/mail renders them; the core never holds a subject line or HTML.
 *
 * A mail is queued in the database in the same transaction as the change that causes it (the
 * store's units take a NewMail), sealed (lib/auth/sealed.ts: its link is a live token until it is
 * sent), and sent from the queue by any instance (lib/mail/sender.ts).
 */
export const MAIL_KINDS = [
  "password_reset",
  "email_verification",
  "password_changed",
  "account_exists",
  "recovery_code_used",
  "two_factor_turned_off",
  "provider_connected",
  "account_deleted",
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

export type MailIntent =
  | { kind: "password_reset"; link: string; ttlSeconds: number }
  | { kind: "email_verification"; link: string; ttlSeconds: number }
  | { kind: "password_changed"; resetLink: string }
  | { kind: "account_exists"; resetLink: string }
  | { kind: "recovery_code_used"; codesLeft: number; securityLink: string }
  | { kind: "two_factor_turned_off"; byAdministrator: boolean; securityLink: string }
  | { kind: "provider_connected"; providerName: string; securityLink: string }
  | { kind: "account_deleted"; registerLink: string };

/**
 * Notices of a change someone made with a credential (a password, a reset link): always sent, so
 * a flood of other mails to the address cannot hide them. They still count toward its budget.
 */
export const NOTICE_KINDS: ReadonlySet<MailKind> = new Set<MailKind>([
  "password_changed",
  "recovery_code_used",
  "two_factor_turned_off",
  "provider_connected",
  "account_deleted",
]);

/** What a queued mail's sealed payload holds. */
export type MailPayload = { to: string; intent: MailIntent };

/** The sealing context of a queued mail: its payload opens only for its own row. */
export const mailSealContext = (id: string) => `mail:${id}`;
