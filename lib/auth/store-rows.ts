import type { MailKind } from "@/lib/auth/mail";
import type { Role } from "@/lib/auth/roles";

/** The rows the storage contract (lib/auth/store.ts) reads and writes. Times are Unix milliseconds. */

export type UserRow = {
  id: string;
  /** Normalised: trimmed, lower-case. Unique. */
  email: string;
  name: string | null;
  passwordHash: string;
  role: Role;
  /** Access tokens carry it as `ver`; bumping it invalidates every access token already issued. */
  tokenVersion: number;
  disabledAt: number | null;
  /** When the owner proved the address (a verification link); null until then. */
  emailVerifiedAt: number | null;
  createdAt: number;
};

export type NewUser = Pick<UserRow, "id" | "email" | "name" | "passwordHash" | "role" | "createdAt"> & {
  emailVerifiedAt?: number | null;
};

/** The kinds of single-use emailed links. */
export const EMAIL_TOKEN_KINDS = ["password_reset", "email_verification"] as const;
export type EmailTokenKind = (typeof EMAIL_TOKEN_KINDS)[number];

/**
 * What a verification link of a registration carries: the password (hash) and name the person
 * who registered chose. Using the link sets them (docs/decisions/registration-links.md), so
 * nobody's registration is thrown away and nobody verifies an address on a password they did not
 * choose.
 */
export type Registration = { passwordHash: string; name: string | null };

export type NewEmailToken = {
  id: string;
  userId: string;
  kind: EmailTokenKind;
  tokenHash: string;
  now: number;
  expiresAt: number;
  registration: Registration | null;
};
export type EmailTokenRow = {
  userId: string;
  kind: EmailTokenKind;
  expiresAt: number;
  usedAt: number | null;
  /** The registration's password hash when the link carries one (email_verification only). */
  registrationPasswordHash: string | null;
};

/** The window a mail budget counts over: an hour. */
export const MAIL_BUDGET_WINDOW_MS = 3600 * 1000;

/** A mail for the queue (lib/auth/mail.ts). The address is inside the sealed payload only. */
export type NewMail = {
  id: string;
  kind: MailKind;
  /** SHA-256 of the normalised address: what the per-address budget counts by. */
  recipientKey: string;
  /** Sealed MailPayload (lib/auth/sealed.ts), opened only by the sender. */
  payload: string;
  now: number;
  /**
   * Queued only if fewer than this many mails went to the same recipient in the hour before
   * `now`; otherwise nothing is written and the unit answers false. Null: always queued (a notice).
   */
  budget: number | null;
};

/** A queued mail a sender claimed (its lease is `now + leaseMs`). */
export type ClaimedMail = { id: string; kind: MailKind; payload: string; attempts: number; claimedUntil: number };

/** Who holds a family's refresh tokens: a browser (cookie) or a native app (token endpoint). */
export const CLIENT_KINDS = ["browser", "native"] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

/** A family is one sign-in's chain of refresh tokens; the user sees it as a session (a device). */
export type FamilyRow = {
  id: string;
  userId: string;
  createdAt: number;
  lastUsedAt: number;
  /** createdAt + SESSION_MAX_AGE: rotation never moves it. */
  absoluteExpiresAt: number;
  revokedAt: number | null;
  revokedReason: string | null;
  userAgent: string | null;
  ip: string | null;
  client: ClientKind;
  /** RFC 7638 thumbprint of the DPoP key the family is bound to, or null (not bound). */
  dpopJkt: string | null;
};

export type NewFamily = Pick<
  FamilyRow,
  "id" | "userId" | "absoluteExpiresAt" | "userAgent" | "ip" | "client" | "dpopJkt"
> & {
  now: number;
};

export type NewRefreshToken = {
  id: string;
  familyId: string;
  parentId: string | null;
  generation: number;
  /** SHA-256 of the token; the token itself is never stored. */
  tokenHash: string;
  now: number;
  expiresAt: number;
};

/** A presented refresh token (found by its hash) with its family's state. */
export type PresentedToken = {
  id: string;
  familyId: string;
  generation: number;
  usedAt: number | null;
  /** Set when the token was retired without its holder rotating it: presenting it past the grace
   * window is always reuse. */
  supersededAt: number | null;
  userId: string;
  familyCreatedAt: number;
  lastUsedAt: number;
  absoluteExpiresAt: number;
  revokedAt: number | null;
  revokedReason: string | null;
  client: ClientKind;
  dpopJkt: string | null;
};

/** The token a rotation issued in exchange for the presented one (not superseded), if any. */
export type Successor = { id: string; usedAt: number | null };

export type EventRow = {
  id: number;
  type: string;
  at: number;
  userId: string | null;
  familyId: string | null;
  ip: string | null;
  userAgent: string | null;
  /** Small JSON object; never a token, cookie or password. */
  detail: string;
};

export type NewEvent = Omit<EventRow, "id">;

/** Everything the full check needs in one read: the user, the token's family, the deny-list. */
export type FullCheckRow = Pick<
  UserRow,
  "id" | "email" | "name" | "role" | "tokenVersion" | "disabledAt" | "emailVerifiedAt"
> & {
  familyUserId: string | null;
  familyRevokedAt: number | null;
  familyCreatedAt: number | null;
  familyAbsoluteExpiresAt: number | null;
  jtiRevoked: boolean;
};
