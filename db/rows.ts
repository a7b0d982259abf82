import type * as postgres from "@/db/postgres/schema";
import type * as sqlite from "@/db/sqlite/schema";

/**
 * The rows the storage contract reads, typed from the Drizzle schemas: one source of truth. A
 * column added to a table appears here, in the core's types (lib/auth/store-rows.ts) and in every
 * place the type checker then points at. The two engines must agree, column by column: the checks
 * below fail to compile when db/sqlite/schema.ts and db/postgres/schema.ts drift apart.
 */
export type UserRow = typeof sqlite.users.$inferSelect;
/** What a new user needs; columns with a default (role, token version, …) may be left out. */
export type NewUserRow = typeof sqlite.users.$inferInsert;
export type FamilyRow = typeof sqlite.refreshFamilies.$inferSelect;
export type EventRow = typeof sqlite.authEvents.$inferSelect;
export type PasskeyRow = typeof sqlite.passkeys.$inferSelect;
export type TwoFactorRow = typeof sqlite.twoFactor.$inferSelect;
export type PendingSignInRow = typeof sqlite.pendingSignIns.$inferSelect;
export type AccountRow = typeof sqlite.accounts.$inferSelect;
export type AuthorizationCodeRow = typeof sqlite.authorizationCodes.$inferSelect;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Agree<T extends keyof typeof sqlite & keyof typeof postgres> = Same<
  (typeof sqlite)[T] extends { $inferSelect: infer S } ? S : never,
  (typeof postgres)[T] extends { $inferSelect: infer P } ? P : never
>;

/**
 * Compiles only while every table reads the same on both engines.
 * @public (a compile-time check: nothing imports it)
 */
export const ENGINES_AGREE: {
  users: Agree<"users">;
  refreshFamilies: Agree<"refreshFamilies">;
  refreshTokens: Agree<"refreshTokens">;
  revokedJtis: Agree<"revokedJtis">;
  authEvents: Agree<"authEvents">;
  emailTokens: Agree<"emailTokens">;
  dpopProofs: Agree<"dpopProofs">;
  mailQueue: Agree<"mailQueue">;
  passkeys: Agree<"passkeys">;
  webauthnChallenges: Agree<"webauthnChallenges">;
  twoFactor: Agree<"twoFactor">;
  recoveryCodes: Agree<"recoveryCodes">;
  pendingSignIns: Agree<"pendingSignIns">;
  accounts: Agree<"accounts">;
  authorizationCodes: Agree<"authorizationCodes">;
} = {
  users: true,
  refreshFamilies: true,
  refreshTokens: true,
  revokedJtis: true,
  authEvents: true,
  emailTokens: true,
  dpopProofs: true,
  mailQueue: true,
  passkeys: true,
  webauthnChallenges: true,
  twoFactor: true,
  recoveryCodes: true,
  pendingSignIns: true,
  accounts: true,
  authorizationCodes: true,
};
