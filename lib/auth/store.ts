import type { Failure } from "@/lib/auth/results";
import type { Role } from "@/lib/auth/roles";

import type {
  AccountRow,
  AuthorizationCodeRow,
  ClaimedMail,
  EventRow,
  FamilyRow,
  FamilyTokens,
  FullCheckRow,
  EmailTokenRow,
  NewEmailToken,
  NewEvent,
  NewFamily,
  NewAccount,
  NewAuthorizationCode,
  NewChallenge,
  NewMail,
  NewPasskey,
  NewPendingSignIn,
  NewRecoveryCode,
  NewUser,
  PasskeyRow,
  PendingSignInRow,
  ProviderId,
  TwoFactorRow,
  UserRow,
} from "@/lib/auth/store-rows";

export * from "@/lib/auth/store-rows";

/**
 * The storage contract the auth core depends on. Engines (db/sqlite, db/postgres) implement it;
 * the core never sees SQL, a driver or a driver's error. Every method is one atomic unit: where a
 * rule needs a read and the writes it decides to happen together (a rotation), the engine runs
 * the core's pure `decide` function inside its own transaction.
 *
 * Times are Unix milliseconds.
 */

/** What the rotation rules decided about a presented token, applied by the engine atomically. */
export type RotationWrites = {
  /** The decision's time: what last_used_at and revoked_at are set to. */
  now?: number;
  /**
   * The gate: the family's tokens become `to` only if its live token is still `fromHash` (also
   * sets last_used_at). Of two callers presenting the same token, one passes; an engine whose
   * transaction can lose the gate reads and decides again.
   */
  advance?: { fromHash: string; to: FamilyTokens };
  touchFamily?: boolean;
  revokeFamily?: { reason: string };
  event?: NewEvent;
};

export type RotationDecision<T> = { writes: RotationWrites; result: T };

export type DenyJti = { jti: string; expiresAt: number };

/**
 * Thrown by an engine when the database cannot be reached (down, restarting, connection lost).
 * The HTTP layer answers 503; the message never carries a credential.
 */
export class StorageUnavailableError extends Error {
  constructor(message = "The database is unavailable.") {
    super(message);
    this.name = "StorageUnavailableError";
  }
}

/**
 * By name as well as by class: a production build may bundle this module into several chunks,
 * and the runtime that throws is not always the chunk that catches (instanceof would say no).
 */
export function isStorageUnavailable(error: unknown): boolean {
  return (
    error instanceof StorageUnavailableError || (error instanceof Error && error.name === "StorageUnavailableError")
  );
}

/** What pruning may delete: rows older than these cutoffs (ms), at most `batchSize` per statement. */
export type PruneCutoffs = {
  /** Families revoked, or past their absolute expiry, before this (their tokens go with them). */
  familiesDeadBefore: number;
  /** Families last used before this (idle-expired long ago). */
  familiesIdleBefore: number;
  /** Deny-list entries whose access token expired before this. */
  jtisExpiredBefore: number;
  /** Audit events older than this (AUDIT_RETENTION). */
  eventsBefore: number;
  /** Email tokens that expired (or were used) before this. */
  emailTokensBefore: number;
  /** DPoP replay entries that expired before this. */
  dpopProofsBefore: number;
  /** Queued mails sent or given up before this (kept a while: the per-address budget counts them). */
  mailBefore: number;
  /** Pending sign-ins and WebAuthn challenges that expired before this. */
  pendingBefore: number;
  /** Authorization codes that expired before this (kept a while after: a late second use still ends its family). */
  authorizationCodesBefore: number;
  batchSize: number;
};

export type PruneCounts = {
  families: number;
  jtis: number;
  events: number;
  emailTokens: number;
  dpopProofs: number;
  mail: number;
  pending: number;
  authorizationCodes: number;
};

export interface Store {
  userByEmail(email: string): Promise<UserRow | undefined>;
  userById(id: string): Promise<UserRow | undefined>;
  userCount(): Promise<number>;
  /** The unique email decides between racing registrations: the loser gets "email_taken". */
  insertUser(user: NewUser): Promise<{ ok: true } | Failure<"email_taken">>;
  /** id → email for the ids that exist (one query, for lists of events). */
  emailsOf(userIds: string[]): Promise<Map<string, string>>;

  /** A new family (its first token's hash in its row) and the event that started it. */
  startFamily(family: NewFamily, event: NewEvent): Promise<void>;
  /** A token issued before families kept their own (refresh_tokens, read only): its family and generation. */
  legacyToken(tokenHash: string): Promise<{ familyId: string; generation: number } | undefined>;
  /**
   * Reads the family (its live and previous token in its row) and its user, runs `decide` (pure,
   * synchronous) on what it read and applies the writes it returns, all in one transaction: of two
   * callers presenting the same token at once, exactly one passes the `advance` gate. An engine
   * whose transaction can lose the gate (another connection got there first) writes nothing and
   * reads and decides again; SQLite's IMMEDIATE transaction cannot lose it (it throws if it did).
   */
  rotate<T>(
    familyId: string,
    decide: (found: { family: FamilyRow; user: UserRow | undefined } | undefined) => RotationDecision<T>,
  ): Promise<T>;
  familyById(id: string): Promise<FamilyRow | undefined>;
  /** Live families of the user, most recently used first. */
  activeFamilies(userId: string, now: number, idleCutoff: number): Promise<FamilyRow[]>;
  fullCheck(sub: string, sid: string, jti: string): Promise<FullCheckRow | undefined>;

  /**
   * Ends one family if it belongs to `userId` and is live; deny-lists `denyJti` either way.
   * True when this call ended it (then `event` is recorded with it).
   */
  endFamily(input: {
    familyId: string;
    userId: string;
    now: number;
    reason: string;
    denyJti?: DenyJti;
    event: NewEvent;
  }): Promise<boolean>;
  /**
   * Ends every live family of the user (but `keepFamilyId`), bumps the token version when asked,
   * deny-lists `denyJti`, and records `event(count)`. Returns the count, or
   * null when the user does not exist.
   */
  endUserFamilies(input: {
    userId: string;
    now: number;
    reason: string;
    bumpTokenVersion: boolean;
    keepFamilyId?: string;
    denyJti?: DenyJti;
    event: (sessionsEnded: number) => NewEvent;
  }): Promise<number | null>;
  /**
   * A password change in one transaction: the new hash and a token-version bump, every other
   * family ended, this family's live refresh token superseded by the one `issueToken` makes for
   * the next generation (a presented copy of the old one is reuse past the grace window), the old
   * access token deny-listed. Null when the family is not the user's or no longer live.
   */
  changePassword(input: {
    userId: string;
    familyId: string;
    passwordHash: string;
    now: number;
    /** Called inside the transaction with the next generation; returns the new token's hash. */
    issueToken: (generation: number) => string;
    denyJti: DenyJti;
    event: (sessionsEnded: number) => NewEvent;
    /** The "your password was changed" notice, queued with the change. */
    mail: NewMail;
  }): Promise<
    (Pick<FamilyRow, "absoluteExpiresAt" | "createdAt" | "amr" | "authTime"> & { sessionsEnded: number }) | null
  >;

  denyJti(entry: DenyJti): Promise<void>;

  /**
   * Remembers a DPoP proof (by key and jti) until `expiresAt`. False when it was seen before: a
   * replay. One winner when two instances see the same proof at once.
   */
  rememberDpopProof(id: string, expiresAt: number): Promise<boolean>;

  /**
   * Stores a new emailed link, queues its mail and records `event`, in one transaction; or, when
   * the mail is over its budget, writes nothing (older links keep working) and answers false. A
   * new password-reset link retires the user's older ones; verification links each stand for one
   * registration and all stop working when one of them is used.
   */
  issueEmailToken(input: { token: NewEmailToken; mail: NewMail; event: NewEvent }): Promise<boolean>;
  emailToken(tokenHash: string): Promise<EmailTokenRow | undefined>;
  /**
   * Uses a password-reset token (one winner under concurrency: `used_at` flips from NULL once,
   * and only before it expires) and, in the same transaction, sets the new hash, bumps the token
   * version, ends every family, records `event` and queues `mail` (the notice). Null when the
   * token is unknown, used, expired or of another kind.
   */
  resetPassword(input: {
    tokenHash: string;
    now: number;
    passwordHash: string;
    event: (userId: string, sessionsEnded: number) => NewEvent;
    mail: NewMail;
  }): Promise<{ userId: string; sessionsEnded: number } | null>;
  /**
   * Uses an email-verification token the same way, marks the address verified and retires the
   * user's other verification links. A link that carries a registration also sets its password
   * and name, bumps the token version and ends every family (whoever signed in before did so with
   * another password).
   */
  verifyEmail(input: {
    tokenHash: string;
    now: number;
    event: (userId: string, sessionsEnded: number) => NewEvent;
  }): Promise<{ userId: string; sessionsEnded: number } | null>;

  /** Queues a mail (and records `event`) unless it is over its budget: then false, nothing written. */
  queueMail(input: { mail: NewMail; event?: NewEvent }): Promise<boolean>;
  /**
   * Claims up to `limit` queued mails that are due and not claimed by a live lease, for
   * `leaseMs`: of two instances claiming at once, each mail goes to one.
   */
  claimMail(input: { now: number; leaseMs: number; limit: number }): Promise<ClaimedMail[]>;
  /** Marks a claimed mail sent and forgets its payload. */
  mailSent(input: { id: string; now: number }): Promise<void>;
  /** A failed attempt: due again at `retryAt`, or given up (payload forgotten) when null. */
  mailFailed(input: { id: string; now: number; retryAt: number | null; error: string }): Promise<void>;

  /**
   * Step-up: a fresh interactive authentication in a live family of the user. Sets its auth_time
   * (and amr) and records `event`; null when the family is not the user's or not live.
   */
  reauthenticate(input: {
    familyId: string;
    userId: string;
    now: number;
    amr: string;
    event: NewEvent;
  }): Promise<FamilyRow | null>;

  /** The user's two-step state (enabled or being set up), if any. */
  twoFactorOf(userId: string): Promise<TwoFactorRow | undefined>;
  /** A new secret being set up (replacing a setup not finished); false while two-step is on. */
  beginTwoFactorSetup(input: { userId: string; secret: string; now: number }): Promise<boolean>;
  /**
   * Turns two-step on with its first code: the gate is a pending setup (one winner), the code's
   * step is recorded as used, the recovery codes stored (older ones gone), the user's other
   * families ended, `event` recorded. Null when there was no pending setup.
   */
  enableTwoFactor(input: {
    userId: string;
    step: number;
    now: number;
    codes: NewRecoveryCode[];
    keepFamilyId: string | null;
    event: (sessionsEnded: number) => NewEvent;
  }): Promise<{ sessionsEnded: number } | null>;
  /** Turns two-step off: the secret and every recovery code gone; `mail` is the notice. False if it was off. */
  disableTwoFactor(input: { userId: string; event: NewEvent; mail: NewMail | null }): Promise<boolean>;
  /** The gate of a TOTP code: true once per step, and never for a step before the last accepted one. */
  useTotpStep(input: { userId: string; step: number }): Promise<boolean>;
  /** A new set of recovery codes (the old ones stop working); false when two-step is off. */
  replaceRecoveryCodes(input: {
    userId: string;
    codes: NewRecoveryCode[];
    now: number;
    event: NewEvent;
  }): Promise<boolean>;
  recoveryCodesOf(userId: string): Promise<{ id: string; codeHash: string; usedAt: number | null }[]>;
  /** Uses a recovery code (one winner under concurrency) and queues its notice. */
  useRecoveryCode(input: { id: string; userId: string; now: number; mail: NewMail }): Promise<boolean>;

  insertPendingSignIn(row: NewPendingSignIn): Promise<void>;
  pendingSignIn(tokenHash: string): Promise<PendingSignInRow | undefined>;
  /** Counts one attempt at a pending sign-in, atomically: the count after it. */
  countPendingAttempt(id: string): Promise<number>;
  /** The one use of a pending sign-in: true for the caller that marks it used (live, unused). */
  usePendingSignIn(input: { id: string; now: number }): Promise<boolean>;

  /** A native app's one-time authorization code (RFC 8252), stored by its hash. */
  insertAuthorizationCode(row: NewAuthorizationCode): Promise<void>;
  authorizationCode(codeHash: string): Promise<AuthorizationCodeRow | undefined>;
  /** The one use of a code: true for the caller that marks it used (live, unused). */
  useAuthorizationCode(input: { id: string; now: number }): Promise<boolean>;
  /**
   * Remembers the family a used code started. `replayed`: a second use was seen meanwhile (the
   * caller ends the family). One statement on the code's row, as replayAuthorizationCode is: of the
   * two, one sees the other's write, so the family ends whichever comes first.
   */
  authorizationCodeStarted(input: { id: string; familyId: string }): Promise<{ replayed: boolean }>;
  /** A used code presented again: marked replayed; the family it started, if that is known yet. */
  replayAuthorizationCode(input: { id: string; now: number }): Promise<{ familyId: string | null }>;

  passkeysOf(userId: string): Promise<PasskeyRow[]>;
  passkeyById(id: string): Promise<PasskeyRow | undefined>;
  /** The user's WebAuthn user handle: `candidate` is stored the first time, the stored one returned after. */
  passkeyUserIdOf(input: { userId: string; candidate: string }): Promise<string | null>;
  userByPasskeyUserId(handle: string): Promise<UserRow | undefined>;
  /** Stores a registered passkey and records `event`; false when the credential id is already stored. */
  insertPasskey(input: { passkey: NewPasskey; event: NewEvent }): Promise<boolean>;
  /** After a verified assertion: the counter moves (only from `expectedCounter`) and last use is set. */
  usePasskey(input: { id: string; expectedCounter: number; counter: number; now: number }): Promise<boolean>;
  renamePasskey(input: { id: string; userId: string; name: string }): Promise<boolean>;
  deletePasskey(input: { id: string; userId: string; event: NewEvent }): Promise<boolean>;
  insertChallenge(row: NewChallenge): Promise<void>;
  /** Takes a challenge: deleted as it is read (one use), undefined when gone or expired. */
  takeChallenge(input: { id: string; now: number }): Promise<Omit<NewChallenge, "id" | "expiresAt"> | undefined>;
  /** The user an identity at a provider is linked to. */
  accountByProvider(provider: ProviderId, subject: string): Promise<AccountRow | undefined>;
  accountsOf(userId: string): Promise<AccountRow[]>;
  /**
   * Links an identity to a user, records `event` and queues the owner's notice; false (and
   * nothing written) when the identity is linked already.
   */
  linkAccount(input: { account: NewAccount; event: NewEvent; mail: NewMail }): Promise<boolean>;
  /** A new user made by a provider sign-in, with its identity, in one transaction. */
  createUserWithAccount(input: {
    user: NewUser;
    account: NewAccount;
    event: NewEvent;
  }): Promise<{ ok: true } | Failure<"email_taken" | "identity_taken">>;
  touchAccount(input: { provider: ProviderId; subject: string; now: number }): Promise<void>;
  /** Unlinks the user's identity at a provider and records `event`; false when there was none. */
  unlinkAccount(input: { provider: ProviderId; userId: string; event: NewEvent }): Promise<boolean>;
  /**
   * Deletes what the cutoffs say is dead, in batches of `batchSize` until none is left. Never a
   * token of a live family: reuse detection reads the used ones. Returns null when another
   * instance is pruning right now (engines with many instances prune one at a time).
   */
  prune(cutoffs: PruneCutoffs): Promise<PruneCounts | null>;
  insertEvent(event: NewEvent): Promise<void>;
  userEvents(userId: string, limit: number): Promise<EventRow[]>;
  recentEvents(limit: number): Promise<EventRow[]>;

  /**
   * Users for the admin area, newest first, `limit` at a time after `after` (the last row of the
   * previous page); `query` matches the email or the name, ignoring case; `userId` picks one.
   */
  listUsers(input: {
    query: string | null;
    after: UserCursor | null;
    limit: number;
    userId?: string;
  }): Promise<UserListRow[]>;
  /**
   * A role change, a disable or an enable, with its event, in one transaction. Refused (false,
   * nothing written) when it would leave no enabled administrator: the check and the write are
   * one step, so two administrators demoting each other at once cannot both win. Disabling also
   * ends every family and bumps the token version (access tokens die at once).
   */
  updateAccount(input: {
    userId: string;
    change: { role: Role } | { disabledAt: number | null };
    now: number;
    event: NewEvent;
  }): Promise<"updated" | "not_found" | "last_admin">;
  /**
   * Deletes the user and everything that hangs off it (families, tokens, links, factors,
   * identities), the mails still queued for the address and the rate-limit counters keyed by it
   * (`forgetKeys`: the keys' suffixes), then records `event` and queues `mail` (the notice). The
   * audit trail stays (events carry the user's id, never the address). Refused for the last
   * enabled administrator.
   */
  deleteUser(input: {
    userId: string;
    recipientKey: string;
    forgetKeys: string[];
    event: NewEvent;
    mail: NewMail;
  }): Promise<"deleted" | "not_found" | "last_admin">;
}

/** Where a page of the user list ends (the list is ordered by createdAt, then id, descending). */
export type UserCursor = { createdAt: number; id: string };

/** A user as the admin list shows them. */
export type UserListRow = Pick<
  UserRow,
  "id" | "email" | "name" | "role" | "emailVerifiedAt" | "disabledAt" | "createdAt"
> & {
  twoFactor: boolean;
  /** The last sign-in the audit trail remembers (AUDIT_RETENTION), or null. */
  lastSignInAt: number | null;
};
