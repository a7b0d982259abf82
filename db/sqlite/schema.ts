import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Times are Unix milliseconds (integers): cheap to compare in SQL and in the injected clock. */

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  /** Normalised: trimmed, lower-case. Unique. */
  email: text("email").notNull().unique(),
  name: text("name"),
  passwordHash: text("password_hash").notNull(),
  role: text("role", { enum: ["user", "admin"] }).notNull().default("user"),
  /** Access tokens carry it as `ver`; bumping it invalidates every access token already issued. */
  tokenVersion: integer("token_version").notNull().default(0),
  disabledAt: integer("disabled_at"),
  createdAt: integer("created_at").notNull(),
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
  },
  (t) => [index("refresh_families_user_idx").on(t.userId)],
);

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
    /** Set when the token is rotated; a second use after the grace window is theft. */
    usedAt: integer("used_at"),
  },
  (t) => [index("refresh_tokens_family_idx").on(t.familyId)],
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
    detail: text("detail").notNull().default(sql`'{}'`),
  },
  (t) => [index("auth_events_user_at_idx").on(t.userId, t.at), index("auth_events_at_idx").on(t.at)],
);
