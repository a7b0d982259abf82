import type Database from "better-sqlite3";
import { and, Column, desc, eq, getTableColumns, gt, is, isNull, lt, ne, Param, Placeholder, SQL, sql } from "drizzle-orm";
import type { Db } from "@/db/sqlite/client";
import { authEvents, refreshFamilies, refreshTokens, revokedJtis, users } from "@/db/sqlite/schema";

/**
 * Every SQL statement the auth core runs, prepared once per database (no per-call SQL building
 * on the hot paths). Synchronous: better-sqlite3 is, and a synchronous transaction is what makes
 * "exactly one rotation wins" easy to see.
 */
export type Store = ReturnType<typeof createStore>;
export type UserRow = typeof users.$inferSelect;
export type FamilyRow = typeof refreshFamilies.$inferSelect;
export type EventRow = typeof authEvents.$inferSelect;

const p = sql.placeholder;

type Values = Record<string, unknown>;
type CompiledQuery = { toSQL(): { sql: string; params: unknown[] } };

/**
 * Drizzle's parameter list, bound positionally: a placeholder's value, through the column's
 * encoder when Drizzle attached one (as its fillPlaceholders does), or a literal. Returns one
 * reused array (better-sqlite3 copies the bindings before returning).
 */
function binder(params: unknown[]): (values: Values) => unknown[] {
  const slots = params.map((param) => {
    if (is(param, Placeholder)) return { name: param.name, encoder: undefined, literal: undefined };
    if (is(param, Param) && is(param.value, Placeholder)) return { name: param.value.name, encoder: param.encoder, literal: undefined };
    return { name: undefined, encoder: undefined, literal: param };
  });
  const args: unknown[] = new Array(slots.length);
  return (values) => {
    for (let i = 0; i < slots.length; i++) {
      const { name, encoder, literal } = slots[i];
      args[i] = name === undefined ? literal : encoder ? encoder.mapToDriverValue(values[name]) : values[name];
    }
    return args;
  };
}

/**
 * The statements of the two hot paths (a refresh rotation, the full check) run on better-sqlite3
 * directly, with the SQL Drizzle generates from the schema, the same parameter encoders and the
 * same column decoders: Drizzle's generic per-call work (placeholder filling, row mapping over
 * nested paths) cost ~10% of a rotation (see BENCHMARKS.md). Flat selections only.
 */
function directRun(sqlite: Database.Database, query: CompiledQuery) {
  const { sql: text, params } = query.toSQL();
  const stmt = sqlite.prepare(text);
  const bind = binder(params);
  return { run: (values: Values) => stmt.run(bind(values)) };
}

function directGet<Q extends CompiledQuery & { get(): unknown }>(
  sqlite: Database.Database,
  query: Q,
  fields: Record<string, unknown>,
): { get(values: Values): ReturnType<Q["get"]> | undefined } {
  const { sql: text, params } = query.toSQL();
  const stmt = sqlite.prepare(text).raw(true);
  const keys = Object.keys(fields);
  if (stmt.columns().length !== keys.length) throw new Error(`store: ${keys.length} fields but ${stmt.columns().length} columns in: ${text}`);
  const decoders = keys.map((key) => {
    const field = fields[key];
    if (is(field, Column)) return field;
    // An SQL field's decoder (sql.mapWith(), else pass-through) is internal in Drizzle's types.
    if (is(field, SQL)) return (field as unknown as { decoder: { mapFromDriverValue(value: unknown): unknown } }).decoder;
    throw new Error(`store: unsupported field "${key}" in: ${text}`);
  });
  const bind = binder(params);
  return {
    get(values: Values) {
      const row = stmt.get(bind(values)) as unknown[] | undefined;
      if (!row) return undefined;
      const out: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) out[keys[i]] = row[i] === null ? null : decoders[i].mapFromDriverValue(row[i]);
      return out as ReturnType<Q["get"]>;
    },
  };
}

export function createStore(db: Db) {
  const sqlite = db.$client;
  const tokenWithFamilyFields = {
    id: refreshTokens.id,
    familyId: refreshTokens.familyId,
    generation: refreshTokens.generation,
    usedAt: refreshTokens.usedAt,
    userId: refreshFamilies.userId,
    familyCreatedAt: refreshFamilies.createdAt,
    lastUsedAt: refreshFamilies.lastUsedAt,
    absoluteExpiresAt: refreshFamilies.absoluteExpiresAt,
    revokedAt: refreshFamilies.revokedAt,
  };
  const accessStateFields = {
    id: users.id,
    email: users.email,
    name: users.name,
    role: users.role,
    tokenVersion: users.tokenVersion,
    disabledAt: users.disabledAt,
    familyUserId: refreshFamilies.userId,
    familyRevokedAt: refreshFamilies.revokedAt,
    familyCreatedAt: refreshFamilies.createdAt,
    familyAbsoluteExpiresAt: refreshFamilies.absoluteExpiresAt,
    jtiRevoked: sql<number>`exists(select 1 from ${revokedJtis} where ${revokedJtis.jti} = ${p("jti")})`,
  };
  const q = {
    userByEmail: db.select().from(users).where(eq(users.email, p("email"))).prepare(),
    userById: directGet(sqlite, db.select().from(users).where(eq(users.id, p("id"))), getTableColumns(users)),
    userCount: db.select({ n: sql<number>`count(*)` }).from(users).prepare(),
    insertUser: db
      .insert(users)
      .values({
        id: p("id"),
        email: p("email"),
        name: p("name"),
        passwordHash: p("passwordHash"),
        role: p("role"),
        createdAt: p("createdAt"),
      })
      .prepare(),
    setPassword: db
      .update(users)
      .set({ passwordHash: sql`${p("passwordHash")}`, tokenVersion: sql`${users.tokenVersion} + 1` })
      .where(eq(users.id, p("id")))
      .prepare(),
    bumpTokenVersion: db
      .update(users)
      .set({ tokenVersion: sql`${users.tokenVersion} + 1` })
      .where(eq(users.id, p("id")))
      .prepare(),
    insertFamily: db
      .insert(refreshFamilies)
      .values({
        id: p("id"),
        userId: p("userId"),
        createdAt: p("now"),
        lastUsedAt: p("now"),
        absoluteExpiresAt: p("absoluteExpiresAt"),
        userAgent: p("userAgent"),
        ip: p("ip"),
      })
      .prepare(),
    insertToken: directRun(
      sqlite,
      db
        .insert(refreshTokens)
        .values({
          id: p("id"),
          familyId: p("familyId"),
          parentId: p("parentId"),
          generation: p("generation"),
          tokenHash: p("tokenHash"),
          createdAt: p("now"),
          expiresAt: p("expiresAt"),
        }),
    ),
    tokenWithFamily: directGet(
      sqlite,
      db
        .select(tokenWithFamilyFields)
        .from(refreshTokens)
        .innerJoin(refreshFamilies, eq(refreshFamilies.id, refreshTokens.familyId))
        .where(eq(refreshTokens.tokenHash, p("tokenHash"))),
      tokenWithFamilyFields,
    ),
    /** The gate: only one caller can flip used_at from NULL. */
    markTokenUsed: directRun(
      sqlite,
      db
        .update(refreshTokens)
        .set({ usedAt: sql`${p("now")}` })
        .where(and(eq(refreshTokens.id, p("id")), isNull(refreshTokens.usedAt))),
    ),
    /** The family's current (unrotated) token: what a password change rotates. */
    liveToken: db
      .select({ id: refreshTokens.id, generation: refreshTokens.generation })
      .from(refreshTokens)
      .where(and(eq(refreshTokens.familyId, p("familyId")), isNull(refreshTokens.usedAt)))
      .orderBy(desc(refreshTokens.generation))
      .limit(1)
      .prepare(),
    retireLiveTokens: db
      .update(refreshTokens)
      .set({ usedAt: sql`${p("now")}` })
      .where(and(eq(refreshTokens.familyId, p("familyId")), isNull(refreshTokens.usedAt)))
      .prepare(),
    touchFamily: directRun(sqlite, db.update(refreshFamilies).set({ lastUsedAt: sql`${p("now")}` }).where(eq(refreshFamilies.id, p("id")))),
    revokeFamily: db
      .update(refreshFamilies)
      .set({ revokedAt: sql`${p("now")}`, revokedReason: sql`${p("reason")}` })
      .where(and(eq(refreshFamilies.id, p("id")), isNull(refreshFamilies.revokedAt)))
      .prepare(),
    revokeUserFamilies: db
      .update(refreshFamilies)
      .set({ revokedAt: sql`${p("now")}`, revokedReason: sql`${p("reason")}` })
      .where(and(eq(refreshFamilies.userId, p("userId")), isNull(refreshFamilies.revokedAt)))
      .prepare(),
    revokeOtherFamilies: db
      .update(refreshFamilies)
      .set({ revokedAt: sql`${p("now")}`, revokedReason: sql`${p("reason")}` })
      .where(
        and(
          eq(refreshFamilies.userId, p("userId")),
          isNull(refreshFamilies.revokedAt),
          ne(refreshFamilies.id, p("keepId")),
        ),
      )
      .prepare(),
    familyById: db.select().from(refreshFamilies).where(eq(refreshFamilies.id, p("id"))).prepare(),
    activeFamilies: db
      .select()
      .from(refreshFamilies)
      .where(
        and(
          eq(refreshFamilies.userId, p("userId")),
          isNull(refreshFamilies.revokedAt),
          gt(refreshFamilies.absoluteExpiresAt, p("now")),
          gt(refreshFamilies.lastUsedAt, p("idleCutoff")),
        ),
      )
      .orderBy(desc(refreshFamilies.lastUsedAt))
      .prepare(),
    denyJti: db
      .insert(revokedJtis)
      .values({ jti: p("jti"), expiresAt: p("expiresAt") })
      .onConflictDoNothing()
      .prepare(),
    sweepJtis: db.delete(revokedJtis).where(lt(revokedJtis.expiresAt, p("now"))).prepare(),
    /** The full check in one round trip: user, token version, family state, jti deny-list. */
    accessState: directGet(
      sqlite,
      db
        .select(accessStateFields)
        .from(users)
        .leftJoin(refreshFamilies, eq(refreshFamilies.id, p("sid")))
        .where(eq(users.id, p("sub"))),
      accessStateFields,
    ),
    insertEvent: directRun(
      sqlite,
      db
        .insert(authEvents)
        .values({
          type: p("type"),
          at: p("at"),
          userId: p("userId"),
          familyId: p("familyId"),
          ip: p("ip"),
          userAgent: p("userAgent"),
          detail: p("detail"),
        }),
    ),
    userEvents: db
      .select()
      .from(authEvents)
      .where(eq(authEvents.userId, p("userId")))
      .orderBy(desc(authEvents.id))
      .limit(p("limit"))
      .prepare(),
    recentEvents: db.select().from(authEvents).orderBy(desc(authEvents.id)).limit(p("limit")).prepare(),
  };

  // One transaction wrapper for the life of the store: better-sqlite3's transaction() builds four
  // wrapper functions and redefines their properties on every call (~8 µs, a tenth of a refresh
  // rotation). The wrapper checks inTransaction per call, so nesting still uses a savepoint.
  const immediate = db.$client.transaction((fn: () => unknown) => fn()).immediate;

  return {
    db,
    /** Runs fn in one IMMEDIATE transaction: the write lock is taken up front, so concurrent
     * processes serialise instead of failing at commit. */
    transaction<T>(fn: () => T): T {
      return immediate(fn) as T;
    },
    userByEmail: (email: string) => q.userByEmail.get({ email }),
    userById: (id: string) => q.userById.get({ id }),
    userCount: () => q.userCount.get()?.n ?? 0,
    insertUser: (u: { id: string; email: string; name: string | null; passwordHash: string; role: string; createdAt: number }) =>
      q.insertUser.run(u),
    setPasswordAndBumpVersion: (id: string, passwordHash: string) => q.setPassword.run({ id, passwordHash }),
    bumpTokenVersion: (id: string) => q.bumpTokenVersion.run({ id }),
    insertFamily: (f: { id: string; userId: string; now: number; absoluteExpiresAt: number; userAgent: string | null; ip: string | null }) =>
      q.insertFamily.run(f),
    insertToken: (t: { id: string; familyId: string; parentId: string | null; generation: number; tokenHash: string; now: number; expiresAt: number }) =>
      q.insertToken.run(t),
    tokenWithFamily: (tokenHash: string) => q.tokenWithFamily.get({ tokenHash }),
    markTokenUsed: (id: string, now: number) => q.markTokenUsed.run({ id, now }).changes === 1,
    touchFamily: (id: string, now: number) => q.touchFamily.run({ id, now }),
    liveToken: (familyId: string) => q.liveToken.get({ familyId }),
    retireLiveTokens: (familyId: string, now: number) => q.retireLiveTokens.run({ familyId, now }).changes,
    revokeFamily: (id: string, now: number, reason: string) => q.revokeFamily.run({ id, now, reason }).changes === 1,
    revokeUserFamilies: (userId: string, now: number, reason: string) => q.revokeUserFamilies.run({ userId, now, reason }).changes,
    revokeOtherFamilies: (userId: string, keepId: string, now: number, reason: string) =>
      q.revokeOtherFamilies.run({ userId, keepId, now, reason }).changes,
    familyById: (id: string) => q.familyById.get({ id }),
    activeFamilies: (userId: string, now: number, idleCutoff: number) => q.activeFamilies.all({ userId, now, idleCutoff }),
    denyJti: (jti: string, expiresAt: number) => q.denyJti.run({ jti, expiresAt }),
    sweepJtis: (now: number) => q.sweepJtis.run({ now }).changes,
    accessState: (sub: string, sid: string, jti: string) => q.accessState.get({ sub, sid, jti }),
    insertEvent: (e: { type: string; at: number; userId: string | null; familyId: string | null; ip: string | null; userAgent: string | null; detail: string }) =>
      q.insertEvent.run(e),
    userEvents: (userId: string, limit: number) => q.userEvents.all({ userId, limit }),
    recentEvents: (limit: number) => q.recentEvents.all({ limit }),
  };
}
