/**
 * The refresh rotation of bench/cases/rotation.ts as raw better-sqlite3: the same statements (read
 * the family and its user, then the gated UPDATE of the family's tokens), with the SQL Drizzle
 * generates from the schema, as prepared statements inside db.transaction(fn).immediate(), with
 * the same checks. The baseline the project's Store is measured against.
 */
import type Database from "better-sqlite3";

type Options = { idleMs: number };

/** Returns rotate(newHash): one rotation of the family, whose live token hash is startHash. */
export function rawRotator(sqlite: Database.Database, familyId: string, startHash: string, { idleMs }: Options) {
  const raw = {
    family: sqlite.prepare(
      'select "id", "user_id", "last_used_at", "absolute_expires_at", "revoked_at", "generation", "token_hash" from "refresh_families" where "refresh_families"."id" = ?',
    ),
    userById: sqlite.prepare(
      'select "id", "email", "name", "password_hash", "role", "token_version", "disabled_at", "email_verified_at", "created_at" from "users" where "users"."id" = ?',
    ),
    advance: sqlite.prepare(
      'update "refresh_families" set "generation" = ?, "token_hash" = ?, "previous_generation" = ?, "previous_token_hash" = ?, "previous_used_at" = ?, "previous_superseded" = 0, "last_used_at" = ? where ("refresh_families"."id" = ? and "refresh_families"."token_hash" = ?)',
    ),
  };
  type FamilyRaw = {
    id: string;
    user_id: string;
    last_used_at: number;
    absolute_expires_at: number;
    revoked_at: number | null;
    generation: number;
    token_hash: string;
  };
  type UserRaw = { id: string; disabled_at: number | null };
  let chain = startHash;
  const rotate = sqlite.transaction((newHash: string): string => {
    const now = Date.now();
    const family = raw.family.get(familyId) as FamilyRaw | undefined;
    if (!family) throw new Error("raw family lost");
    const user = raw.userById.get(family.user_id) as UserRaw | undefined;
    if (!user || user.disabled_at !== null || family.revoked_at !== null) throw new Error("unexpected state");
    if (now >= family.absolute_expires_at || now >= family.last_used_at + idleMs) throw new Error("expired");
    if (family.token_hash !== chain) throw new Error("reuse");
    const next = family.generation + 1;
    if (raw.advance.run(next, newHash, family.generation, chain, now, now, familyId, chain).changes !== 1)
      throw new Error("lost the gate");
    return newHash;
  });
  return (newHash: string) => {
    chain = rotate.immediate(newHash);
  };
}
