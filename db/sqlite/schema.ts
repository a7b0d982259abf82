import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { ROLES } from "@/lib/auth/roles";
import { MAIL_KINDS } from "@/lib/auth/mail";
import { CLIENT_KINDS, EMAIL_TOKEN_KINDS, PROVIDER_IDS, WEBAUTHN_PURPOSES } from "@/lib/auth/store";

/** Times are Unix milliseconds (integers): cheap to compare in SQL and in the injected clock. */

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  /** Normalised: trimmed, lower-case. Unique. */
  email: text("email").notNull().unique(),
  name: text("name"),
  /** Empty for an account made by a provider sign-in, until its owner sets one ("Forgot password?"). */
  passwordHash: text("password_hash").notNull(),
  role: text("role", { enum: ROLES }).notNull().default("user"),
  /** Access tokens carry it as `ver`; bumping it invalidates every access token already issued. */
  tokenVersion: integer("token_version").notNull().default(0),
  disabledAt: integer("disabled_at"),
  /** When the owner proved the address (a verification link); null until then. */
  emailVerifiedAt: integer("email_verified_at"),
  createdAt: integer("created_at").notNull(),
  /** The WebAuthn user handle: random, made at the first passkey, never the email. */
  passkeyUserId: text("passkey_user_id").unique(),
});

/** A family is one sign-in's chain of refresh tokens; the user sees it as a session (a device). */
export const refreshFamilies = sqliteTable(
  "refresh_families",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at").notNull(),
    /** createdAt + SESSION_MAX_AGE: rotation never moves it. */
    absoluteExpiresAt: integer("absolute_expires_at").notNull(),
    revokedAt: integer("revoked_at"),
    revokedReason: text("revoked_reason"),
    userAgent: text("user_agent"),
    ip: text("ip"),
    /** "browser" (refresh token in a cookie) or "native" (the token endpoint); never mixed. */
    client: text("client", { enum: CLIENT_KINDS }).notNull().default("browser"),
    /** RFC 7638 thumbprint of the DPoP key the family is bound to (native clients), or null. */
    dpopJkt: text("dpop_jkt"),
    /** How the user authenticated (RFC 8176 values, a JSON array): copied into every access token. */
    amr: text("amr").notNull().default('["pwd"]'),
    /** When the user last authenticated interactively in this family (sign-in or step-up). */
    authTime: integer("auth_time").notNull().default(0),
    /** The provider of a provider sign-in ("via GitHub" on the devices page), else null. */
    provider: text("provider", { enum: PROVIDER_IDS }),
    /** The native app (AUTH_NATIVE_CLIENTS client_id) that signed in through the browser: its name on the devices page. */
    nativeClientId: text("native_client_id"),
    /**
     * The family's refresh tokens in O(1) rows (docs/decisions/refresh-tokens-in-the-family.md):
     * the live token (its generation and SHA-256) and the one it replaced, with when and how it
     * was retired. Any older token of the family is recognised by its tag (lib/auth/refresh-token.ts).
     */
    generation: integer("generation").notNull().default(0),
    tokenHash: text("token_hash"),
    previousGeneration: integer("previous_generation"),
    previousTokenHash: text("previous_token_hash"),
    /** When the previous token was used (or retired by a password change): the grace window's start. */
    previousUsedAt: integer("previous_used_at"),
    /** Retired without its holder rotating it (a password change): past the grace window, reuse. */
    previousSuperseded: integer("previous_superseded", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [index("refresh_families_user_idx").on(t.userId)],
);

/**
 * Legacy: refresh tokens issued before families kept their own (migration "family_tokens"). Read only, to recognise
 * those tokens until their families end; nothing is written here any more, pruning empties it.
 */
export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    id: text("id").primaryKey(),
    familyId: text("family_id")
      .notNull()
      .references(() => refreshFamilies.id, { onDelete: "cascade" }),
    parentId: text("parent_id"),
    generation: integer("generation").notNull(),
    /** SHA-256 of the token (hex). The token itself is never stored. */
    tokenHash: text("token_hash").notNull().unique(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    /** Set when the token is rotated (or retired); a second use after the grace window is theft. */
    usedAt: integer("used_at"),
    /** Set when the token was retired without its holder rotating it (a lost answer was replaced,
     * or a password change): presenting it past the grace window is always reuse. */
    supersededAt: integer("superseded_at"),
  },
  (t) => [index("refresh_tokens_family_idx").on(t.familyId), index("refresh_tokens_parent_idx").on(t.parentId)],
);

/** Access-token jtis revoked before their exp (logout). Keyed by jti, never by token bytes. */
export const revokedJtis = sqliteTable(
  "revoked_jtis",
  {
    jti: text("jti").primaryKey(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("revoked_jtis_expires_idx").on(t.expiresAt)],
);

export const authEvents = sqliteTable(
  "auth_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    type: text("type").notNull(),
    at: integer("at").notNull(),
    userId: text("user_id"),
    familyId: text("family_id"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    /** Small JSON object; never a token, cookie or password. */
    detail: text("detail")
      .notNull()
      .default(sql`'{}'`),
  },
  (t) => [index("auth_events_user_at_idx").on(t.userId, t.at), index("auth_events_at_idx").on(t.at)],
);

/** rate-limiter-flexible's counters (its own schema), shared by every process using the file. */
export const rateLimits = sqliteTable("rate_limits", {
  key: text("key").primaryKey(),
  points: integer("points").notNull().default(0),
  expire: integer("expire"),
});

/** Single-use emailed links (password reset, email verification). Only the token's hash is kept. */
export const emailTokens = sqliteTable(
  "email_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: EMAIL_TOKEN_KINDS }).notNull(),
    /** SHA-256 of the token (hex). */
    tokenHash: text("token_hash").notNull().unique(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    /** Set when used, or when another link retired it (a newer reset link, a used verification link). */
    usedAt: integer("used_at"),
    /** A registration's verification link: the password hash and name that person chose. */
    registrationPasswordHash: text("registration_password_hash"),
    registrationName: text("registration_name"),
  },
  (t) => [index("email_tokens_user_kind_idx").on(t.userId, t.kind), index("email_tokens_expires_idx").on(t.expiresAt)],
);

/** DPoP proofs seen (by key thumbprint and jti) until they could no longer be fresh: no replay. */
export const dpopProofs = sqliteTable(
  "dpop_proofs",
  {
    /** SHA-256 of thumbprint and jti (fixed length whatever the client sends). */
    id: text("id").primaryKey(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("dpop_proofs_expires_idx").on(t.expiresAt)],
);

/**
 * Mail waiting to be sent, written in the same transaction as the change that causes it and sent
 * by whichever instance claims it (lib/mail/sender.ts), so a crash between the two loses nothing.
 * The payload (address and link) is sealed with AUTH_SECRETS_KEY and forgotten once sent; the
 * rows stay a day, which is what the per-address budget counts.
 */
export const mailQueue = sqliteTable(
  "mail_queue",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: MAIL_KINDS }).notNull(),
    /** SHA-256 of the normalised address: no address in clear outside the sealed payload. */
    recipientKey: text("recipient_key").notNull(),
    payload: text("payload"),
    createdAt: integer("created_at").notNull(),
    nextAttemptAt: integer("next_attempt_at").notNull(),
    attempts: integer("attempts").notNull().default(0),
    /** A sender's lease: another instance leaves the mail alone until then. */
    claimedUntil: integer("claimed_until"),
    sentAt: integer("sent_at"),
    /** Given up after the last retry. */
    failedAt: integer("failed_at"),
    /** The transport's error code of the last failure (never the message: it may quote the mail). */
    lastError: text("last_error"),
  },
  (t) => [
    index("mail_queue_recipient_idx").on(t.recipientKey, t.createdAt),
    index("mail_queue_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.sentAt} is null and ${t.failedAt} is null`),
  ],
);

/** Passkeys (WebAuthn credentials): the public key and its signature counter, never a secret. */
export const passkeys = sqliteTable(
  "passkeys",
  {
    /** The credential id (base64url). */
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** COSE public key, base64url. */
    publicKey: text("public_key").notNull(),
    /** The authenticator's signature counter; 0 for synced passkeys that never count. */
    counter: integer("counter").notNull().default(0),
    /** JSON array of transports the browser reported (internal, hybrid, usb, …). */
    transports: text("transports").notNull().default("[]"),
    /** Backup eligible ("multiDevice", synced) or not ("singleDevice"). */
    deviceType: text("device_type").notNull(),
    backedUp: integer("backed_up", { mode: "boolean" }).notNull().default(false),
    name: text("name").notNull(),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
  },
  (t) => [index("passkeys_user_idx").on(t.userId)],
);

/** WebAuthn challenges: one use, five minutes, bound to the browser that asked (by a cookie). */
export const webauthnChallenges = sqliteTable(
  "webauthn_challenges",
  {
    /** SHA-256 of the browser's cookie token. */
    id: text("id").primaryKey(),
    challenge: text("challenge").notNull(),
    purpose: text("purpose", { enum: WEBAUTHN_PURPOSES }).notNull(),
    /** Registration and step-up: the signed-in user; sign-in: null (discoverable credentials). */
    userId: text("user_id"),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("webauthn_challenges_expires_idx").on(t.expiresAt)],
);

/** Two-step verification (TOTP): the secret sealed with AUTH_SECRETS_KEY; on once a code proved it. */
export const twoFactor = sqliteTable("two_factor", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  secret: text("secret").notNull(),
  /** Null while being set up; set by the first valid code. */
  enabledAt: integer("enabled_at"),
  /** The last 30-second step a code was accepted for: each step works once, and never an older one. */
  lastUsedStep: integer("last_used_step"),
  createdAt: integer("created_at").notNull(),
});

/** Recovery codes: each stored salted and hashed, used once. */
export const recoveryCodes = sqliteTable(
  "recovery_codes",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** salt.hash (base64url, HMAC-SHA-256 keyed by the salt). */
    codeHash: text("code_hash").notNull(),
    usedAt: integer("used_at"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("recovery_codes_user_idx").on(t.userId)],
);

/**
 * A sign-in that still owes a second factor: the password (or provider) was right, no session yet.
 * Five minutes, five attempts, one use; the browser holds its token in a cookie, an app in the body.
 */
export const pendingSignIns = sqliteTable(
  "pending_sign_ins",
  {
    id: text("id").primaryKey(),
    /** SHA-256 of the token. */
    tokenHash: text("token_hash").notNull().unique(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** What was proven so far (RFC 8176 values, JSON), and through which provider if one. */
    amr: text("amr").notNull(),
    provider: text("provider", { enum: PROVIDER_IDS }),
    client: text("client", { enum: CLIENT_KINDS }).notNull(),
    dpopJkt: text("dpop_jkt"),
    attempts: integer("attempts").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [index("pending_sign_ins_expires_idx").on(t.expiresAt)],
);

/**
 * Identities at providers (GitHub, Google, an OpenID provider) linked to users. An identity is
 * (provider, subject), never an email: emails change hands and providers differ on verifying them.
 */
export const accounts = sqliteTable(
  "accounts",
  {
    provider: text("provider", { enum: PROVIDER_IDS }).notNull(),
    /** The provider's stable id for the person (OpenID `sub`, GitHub's numeric id). */
    subject: text("subject").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The address the provider gave when linked (shown on the security page; never used to match). */
    email: text("email"),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
  },
  (t) => [primaryKey({ columns: [t.provider, t.subject] }), index("accounts_user_idx").on(t.userId)],
);

/**
 * One-time authorization codes for native apps signing in through the browser (RFC 8252): a
 * minute, one use, only the code's hash kept, bound to the client, its redirect URI, its PKCE
 * challenge (and DPoP key when given) and to how the browser session authenticated. A used code
 * remembers the family it started, so a second use can end it (RFC 6749 §4.1.2).
 */
export const authorizationCodes = sqliteTable(
  "authorization_codes",
  {
    id: text("id").primaryKey(),
    /** SHA-256 of the code. */
    codeHash: text("code_hash").notNull().unique(),
    clientId: text("client_id").notNull(),
    redirectUri: text("redirect_uri").notNull(),
    /** PKCE S256 challenge (RFC 7636): base64url SHA-256 of the app's verifier. */
    codeChallenge: text("code_challenge").notNull(),
    /** RFC 9449 §10: the thumbprint of the key the tokens must be bound to, when the app named one. */
    dpopJkt: text("dpop_jkt"),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The browser session's amr (JSON) and auth_time: the app's session inherits them. */
    amr: text("amr").notNull(),
    authTime: integer("auth_time").notNull(),
    provider: text("provider", { enum: PROVIDER_IDS }),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
    /** The family its exchange started; ended if the code is presented again. */
    familyId: text("family_id"),
    /** When a second use was seen. */
    replayedAt: integer("replayed_at"),
  },
  (t) => [index("authorization_codes_expires_idx").on(t.expiresAt)],
);
