import type {
  AccountRow,
  AuthorizationCodeRow,
  EventRow,
  FamilyRow,
  NewUserRow,
  PasskeyRow,
  PendingSignInRow,
  TwoFactorRow,
  UserRow,
} from "@/db/rows";
import type { MailKind } from "@/lib/auth/mail";

/**
 * The rows the storage contract (lib/auth/store.ts) reads and writes. Times are Unix milliseconds.
 * Table rows are typed from the Drizzle schemas (db/rows.ts, type-only: the core still imports no
 * database code), so a new column reaches every type that carries the row.
 */
export type {
  AccountRow,
  AuthorizationCodeRow,
  EventRow,
  FamilyRow,
  PasskeyRow,
  PendingSignInRow,
  TwoFactorRow,
  UserRow,
};

/** An identity at a provider to link to a user. */
export type NewAccount = Omit<AccountRow, "lastUsedAt">;

/** A new user: what the users table needs (columns with a default may be left out). */
export type NewUser = NewUserRow;

/** The user's profile as the full check reads it: every column of users but the password hash. */
export type UserProfile = Omit<UserRow, "passwordHash">;

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

/** The providers a person can sign in with (each exists only when configured). */
export const PROVIDER_IDS = ["github", "google", "oidc"] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

/** What a WebAuthn challenge is for. */
export const WEBAUTHN_PURPOSES = ["registration", "sign_in", "reauthentication"] as const;
export type WebauthnPurpose = (typeof WEBAUTHN_PURPOSES)[number];

/** Who holds a family's refresh tokens: a browser (cookie) or a native app (token endpoint). */
export const CLIENT_KINDS = ["browser", "native"] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

export type NewFamily = Pick<
  FamilyRow,
  | "id"
  | "userId"
  | "absoluteExpiresAt"
  | "userAgent"
  | "ip"
  | "client"
  | "dpopJkt"
  | "amr"
  | "authTime"
  | "provider"
  | "nativeClientId"
> & {
  now: number;
  /** The first token's generation (0) and SHA-256. */
  generation: number;
  tokenHash: string;
};

/**
 * A family's tokens: the live one and the one it replaced (docs/decisions/refresh-tokens-in-the-family.md).
 * What a rotation, a lost answer or a password change writes in one gated step.
 */
export type FamilyTokens = Pick<
  FamilyRow,
  "generation" | "tokenHash" | "previousGeneration" | "previousTokenHash" | "previousUsedAt" | "previousSuperseded"
>;

export type NewEvent = Omit<EventRow, "id">;

/** Everything the full check needs in one read: the user, the token's family, the deny-list. */
export type FullCheckRow = UserProfile & {
  familyUserId: string | null;
  familyRevokedAt: number | null;
  familyCreatedAt: number | null;
  familyAbsoluteExpiresAt: number | null;
  jtiRevoked: boolean;
};

/** A passkey to store, from a verified registration. */
export type NewPasskey = Omit<PasskeyRow, "lastUsedAt">;

/** A recovery code to store: only its salted hash. */
export type NewRecoveryCode = { id: string; codeHash: string };

/** A sign-in that owes a second factor (its token is the browser's cookie or the app's mfa_token). */
export type NewPendingSignIn = Omit<PendingSignInRow, "attempts" | "usedAt">;

/** A one-time authorization code to store (its hash only): what its exchange must match and inherit. */
export type NewAuthorizationCode = Omit<AuthorizationCodeRow, "usedAt" | "familyId" | "replayedAt">;

/** A WebAuthn challenge, bound to the browser that asked by the hash of its cookie token. */
export type NewChallenge = {
  id: string;
  challenge: string;
  purpose: WebauthnPurpose;
  userId: string | null;
  expiresAt: number;
};
