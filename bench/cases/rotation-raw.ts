/**
 * The refresh rotation of bench/cases/rotation.ts as raw better-sqlite3: the same six statements,
 * with the SQL Drizzle generates from the schema, as prepared statements inside
 * db.transaction(fn).immediate(), with the same checks. The baseline the project's Store is
 * measured against.
 */
import type Database from "better-sqlite3";

type Options = { idleMs: number; graceMs: number; meta: { ip: string; userAgent: string } };

/** Returns rotate(newHash, newId): one rotation of the chain that starts at startHash. */
export function rawRotator(sqlite: Database.Database, startHash: string, { idleMs, graceMs, meta }: Options) {
  const raw = {
    tokenWithFamily: sqlite.prepare(
      `select ${[
        '"refresh_tokens"."id"',
        '"refresh_tokens"."family_id"',
        '"refresh_tokens"."generation"',
        '"refresh_tokens"."used_at"',
        '"refresh_tokens"."superseded_at"',
        '"refresh_families"."user_id"',
        '"refresh_families"."created_at"',
        '"refresh_families"."last_used_at"',
        '"refresh_families"."absolute_expires_at"',
        '"refresh_families"."revoked_at"',
        '"refresh_families"."revoked_reason"',
      ].join(", ")}` +
        ' from "refresh_tokens" inner join "refresh_families" on "refresh_families"."id" = "refresh_tokens"."family_id" where "refresh_tokens"."token_hash" = ?',
    ),
    userById: sqlite.prepare(
      'select "id", "email", "name", "password_hash", "role", "token_version", "disabled_at", "email_verified_at", "created_at" from "users" where "users"."id" = ?',
    ),
    markTokenUsed: sqlite.prepare(
      'update "refresh_tokens" set "used_at" = ? where ("refresh_tokens"."id" = ? and "refresh_tokens"."used_at" is null)',
    ),
    insertToken: sqlite.prepare(
      'insert into "refresh_tokens" ("id", "family_id", "parent_id", "generation", "token_hash", "created_at", "expires_at", "used_at") values (?, ?, ?, ?, ?, ?, ?, null)',
    ),
    touchFamily: sqlite.prepare('update "refresh_families" set "last_used_at" = ? where "refresh_families"."id" = ?'),
    insertEvent: sqlite.prepare(
      'insert into "auth_events" ("id", "type", "at", "user_id", "family_id", "ip", "user_agent", "detail") values (null, ?, ?, ?, ?, ?, ?, ?)',
    ),
  };
  type TokenRow = {
    id: string;
    family_id: string;
    generation: number;
    used_at: number | null;
    user_id: string;
    created_at: number;
    last_used_at: number;
    absolute_expires_at: number;
    revoked_at: number | null;
  };
  type UserRaw = { id: string; disabled_at: number | null };
  let chain = startHash;
  const rotate = sqlite.transaction((newHash: string, newId: string): string => {
    const now = Date.now();
    const row = raw.tokenWithFamily.get(chain) as TokenRow | undefined;
    if (!row) throw new Error("raw chain lost");
    const user = raw.userById.get(row.user_id) as UserRaw | undefined;
    if (!user || user.disabled_at !== null || row.revoked_at !== null) throw new Error("unexpected state");
    if (now >= row.absolute_expires_at || now >= row.last_used_at + idleMs) throw new Error("expired");
    if (row.used_at !== null && (graceMs <= 0 || now - row.used_at > graceMs)) throw new Error("reuse");
    if (raw.markTokenUsed.run(now, row.id).changes !== 1) throw new Error("lost the gate");
    raw.insertToken.run(
      newId,
      row.family_id,
      row.id,
      row.generation + 1,
      newHash,
      now,
      Math.min(now + idleMs, row.absolute_expires_at),
    );
    raw.touchFamily.run(now, row.family_id);
    raw.insertEvent.run(
      "refresh",
      now,
      row.user_id,
      row.family_id,
      meta.ip,
      meta.userAgent,
      JSON.stringify({ generation: row.generation + 1 }),
    );
    return newHash;
  });
  return (newHash: string, newId: string) => {
    chain = rotate.immediate(newHash, newId);
  };
}
