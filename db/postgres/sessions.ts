import { and, desc, eq, getTableColumns, gt, isNull, lt, ne, sql } from "drizzle-orm";
import type pg from "pg";
import type { PgDb } from "@/db/postgres/client";
import { insertEvent } from "@/db/postgres/events";
import { authEvents, refreshFamilies, refreshTokens, revokedJtis, users } from "@/db/postgres/schema";
import type { Engine } from "@/db/postgres/store";
import { MAX_ATTEMPTS, transaction } from "@/db/postgres/transaction";
import type { DenyJti, FamilyRow, NewEvent, RotationWrites, Store, UserRow } from "@/lib/auth/store";
import { PgDialect } from "drizzle-orm/pg-core";
import { directRows, directRun } from "@/db/postgres/prepared";

/**
 * Sessions: refresh families and their tokens (the rotation), the full check, ending sessions,
 * the deny-list.
 */

const touchFamily = (tx: PgDb, id: string, now: number) =>
  tx.update(refreshFamilies).set({ lastUsedAt: now }).where(eq(refreshFamilies.id, id));

/** Deny-list entries are useless once the token would have expired anyway: swept as we add. */
export async function denyJti(tx: PgDb, entry: DenyJti, now?: number) {
  await tx.insert(revokedJtis).values(entry).onConflictDoNothing();
  if (now !== undefined) await tx.delete(revokedJtis).where(lt(revokedJtis.expiresAt, now));
}

/** Every column of the user but the password hash: what the full check reads (new columns too). */
const { passwordHash, ...accountColumns } = getTableColumns(users);

const revoked = (now: number, reason: string) => ({ revokedAt: now, revokedReason: reason });

const p = sql.placeholder;

/** The gate: the family's tokens change only if its live token is still `fromHash`. */
export function advanceStatement(db: PgDb) {
  const statement = directRun(
    "auth_rotation_gate",
    db
      .update(refreshFamilies)
      .set({
        generation: sql`${p("generation")}`,
        tokenHash: sql`${p("tokenHash")}`,
        previousGeneration: sql`${p("previousGeneration")}`,
        previousTokenHash: sql`${p("previousTokenHash")}`,
        previousUsedAt: sql`${p("previousUsedAt")}`,
        previousSuperseded: sql`${p("previousSuperseded")}`,
        lastUsedAt: sql`${p("now")}`,
      })
      .where(and(eq(refreshFamilies.id, p("id")), eq(refreshFamilies.tokenHash, p("fromHash")))),
  );
  return (on: PgDb, familyId: string, now: number, advance: NonNullable<RotationWrites["advance"]>) =>
    statement.run(on, { id: familyId, fromHash: advance.fromHash, now, ...advance.to });
}

/** A plain rotation (the common case): the gate and nothing else to write. */
const isPlainRotation = (w: RotationWrites) => !!w.advance && !w.revokeFamily && !w.event;

const familyColumns = getTableColumns(refreshFamilies);
const userColumns = getTableColumns(users);
/** A rotation's read as one flat row: the family's columns, then its user's (null without one). */
const rotationFields = {
  ...Object.fromEntries(Object.entries(familyColumns).map(([k, c]) => [`f.${k}`, c])),
  ...Object.fromEntries(Object.entries(userColumns).map(([k, c]) => [`u.${k}`, c])),
};

function splitRotationRow(row: Record<string, unknown>): { family: FamilyRow; user: UserRow | undefined } {
  const family: Record<string, unknown> = {};
  const user: Record<string, unknown> = {};
  for (const key in row) (key.startsWith("f.") ? family : user)[key.slice(2)] = row[key];
  return { family: family as FamilyRow, user: user.id === null ? undefined : (user as UserRow) };
}

/** The family by id with its user; `lock` holds the family's row (FOR UPDATE) for the transaction. */
function rotationRead(db: PgDb, lock: boolean) {
  const query = db
    .select(rotationFields)
    .from(refreshFamilies)
    .leftJoin(users, eq(users.id, refreshFamilies.userId))
    .where(eq(refreshFamilies.id, p("id")));
  const statement = directRows<Record<string, unknown>>(
    lock ? "auth_rotation_read_locked" : "auth_rotation_read",
    lock ? query.for("update", { of: refreshFamilies }) : query,
    rotationFields,
  );
  return async (on: PgDb, familyId: string) => {
    const [row] = await statement.rows(on, { id: familyId });
    return row && splitRotationRow(row);
  };
}

/** The event's values under their own names (`event.<column>`), apart from the family's. */
const eventValues = (event: NewEvent) =>
  Object.fromEntries(Object.entries(event).map(([key, value]) => [`event.${key}`, value]));

/**
 * A new family and its audit row in one statement (atomic without a transaction: no BEGIN and
 * COMMIT round trips on every sign-in): `WITH started AS (INSERT family) INSERT event`.
 */
function startFamilyStatement(db: PgDb) {
  const family = db.insert(refreshFamilies).values({
    id: p("id"),
    userId: p("userId"),
    createdAt: p("now"),
    lastUsedAt: p("now"),
    absoluteExpiresAt: p("absoluteExpiresAt"),
    userAgent: p("userAgent"),
    ip: p("ip"),
    client: p("client"),
    dpopJkt: p("dpopJkt"),
    amr: p("amr"),
    authTime: p("authTime"),
    provider: p("provider"),
    nativeClientId: p("nativeClientId"),
    generation: p("generation"),
    tokenHash: p("tokenHash"),
  });
  const event = db.insert(authEvents).values({
    type: p("event.type"),
    at: p("event.at"),
    userId: p("event.userId"),
    familyId: p("event.familyId"),
    ip: p("event.ip"),
    userAgent: p("event.userAgent"),
    detail: p("event.detail"),
  });
  const dialect = new PgDialect();
  return directRun("auth_start_family", {
    toSQL: () => dialect.sqlToQuery(sql`with started as (${family.getSQL()}) ${event.getSQL()}`),
  });
}

/**
 * The rotation unit. A family holds its live and previous token in its own row, so a plain
 * rotation is one conditional UPDATE (the gate: `WHERE id = $1 AND token_hash = $2`, re-checked by
 * PostgreSQL after waiting on a concurrent writer): read, decide, write; a lost gate (another
 * caller rotated first) reads and decides again. Anything else (a grace answer, a lost answer's
 * event, ending the family) runs in a transaction holding the family's row (FOR UPDATE), deciding
 * on what it read there: every unit that writes a family's tokens (rotation, password change)
 * takes that row first, so they queue instead of deadlocking. The read and the gate are named
 * statements (db/postgres/prepared.ts): a rotation is the hot path of every session.
 */
function createRotate(db: PgDb, pool: pg.Pool): Store["rotate"] {
  const read = rotationRead(db, false);
  const readLocked = rotationRead(db, true);
  const advanceFamily = advanceStatement(db);
  return async function rotate(familyId, decide) {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const found = await read(db, familyId);
      const first = decide(found);
      if (!found) return first.result;
      if (isPlainRotation(first.writes)) {
        const { now = 0, advance } = first.writes;
        if ((await advanceFamily(db, familyId, now, advance!)) === 1) return first.result;
        continue; // another caller rotated first: read and decide again
      }
      return transaction(pool, async (tx) => {
        const locked = await readLocked(tx, familyId);
        const { writes, result } = decide(locked);
        if (!locked) return result;
        const now = writes.now ?? 0;
        if (writes.advance && (await advanceFamily(tx, familyId, now, writes.advance)) !== 1)
          throw new Error("rotation gate lost under the family's lock");
        if (writes.touchFamily) await touchFamily(tx, familyId, now);
        if (writes.revokeFamily) {
          await tx
            .update(refreshFamilies)
            .set(revoked(now, writes.revokeFamily.reason))
            .where(and(eq(refreshFamilies.id, familyId), isNull(refreshFamilies.revokedAt)));
        }
        if (writes.event) await insertEvent(tx, writes.event);
        return result;
      });
    }
    throw new Error(`rotation gate lost ${MAX_ATTEMPTS} times in a row`);
  };
}

export function sessionUnits({
  db,
  pool,
}: Engine): Pick<
  Store,
  | "startFamily"
  | "legacyToken"
  | "rotate"
  | "familyById"
  | "activeFamilies"
  | "fullCheck"
  | "endFamily"
  | "endUserFamilies"
  | "denyJti"
  | "reauthenticate"
> {
  // The full check runs on every authenticated request: a named statement, parsed and planned
  // once per connection by the server, built once here.
  const fullCheckStatement = db
    .select({
      ...accountColumns,
      familyUserId: refreshFamilies.userId,
      familyRevokedAt: refreshFamilies.revokedAt,
      familyCreatedAt: refreshFamilies.createdAt,
      familyAbsoluteExpiresAt: refreshFamilies.absoluteExpiresAt,
      jtiRevoked: sql<boolean>`exists(select 1 from ${revokedJtis} where ${revokedJtis.jti} = ${sql.placeholder("jti")})`,
    })
    .from(users)
    .leftJoin(refreshFamilies, eq(refreshFamilies.id, sql.placeholder("sid")))
    .where(eq(users.id, sql.placeholder("sub")))
    .prepare("auth_full_check");

  const startFamily = startFamilyStatement(db);
  return {
    async startFamily(family, event) {
      await startFamily.run(db, { ...family, ...eventValues(event) });
    },
    async legacyToken(tokenHash) {
      const [row] = await db
        .select({ familyId: refreshTokens.familyId, generation: refreshTokens.generation })
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, tokenHash));
      return row;
    },
    rotate: createRotate(db, pool),
    async familyById(id) {
      const [row] = await db.select().from(refreshFamilies).where(eq(refreshFamilies.id, id));
      return row;
    },
    activeFamilies: (userId, now, idleCutoff) =>
      db
        .select()
        .from(refreshFamilies)
        .where(
          and(
            eq(refreshFamilies.userId, userId),
            isNull(refreshFamilies.revokedAt),
            gt(refreshFamilies.absoluteExpiresAt, now),
            gt(refreshFamilies.lastUsedAt, idleCutoff),
          ),
        )
        .orderBy(desc(refreshFamilies.lastUsedAt)),
    async fullCheck(sub, sid, jti) {
      const [row] = await fullCheckStatement.execute({ sub, sid, jti });
      return row;
    },
    endFamily: ({ familyId, userId, now, reason, denyJti: deny, event }) =>
      transaction(pool, async (tx) => {
        // The UPDATE is the check: of two callers ending one family, one changes the row.
        const ended = await tx
          .update(refreshFamilies)
          .set(revoked(now, reason))
          .where(
            and(
              eq(refreshFamilies.id, familyId),
              eq(refreshFamilies.userId, userId),
              isNull(refreshFamilies.revokedAt),
            ),
          );
        // Deny-listed either way, after the family (the lock order: deny-list rows come last).
        if (deny) await denyJti(tx, deny, now);
        if (ended.rowCount !== 1) return false;
        await insertEvent(tx, event);
        return true;
      }),
    endUserFamilies: ({ userId, now, reason, bumpTokenVersion, keepFamilyId, denyJti: deny, event }) =>
      transaction(pool, async (tx) => {
        // The user's row first (the lock order), whether or not the version moves.
        const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("update");
        if (!user) return null;
        if (bumpTokenVersion) {
          await tx
            .update(users)
            .set({ tokenVersion: sql`${users.tokenVersion} + 1` })
            .where(eq(users.id, userId));
        }
        const live = and(eq(refreshFamilies.userId, userId), isNull(refreshFamilies.revokedAt));
        const ended = await tx
          .update(refreshFamilies)
          .set(revoked(now, reason))
          .where(keepFamilyId ? and(live, ne(refreshFamilies.id, keepFamilyId)) : live);
        if (deny) await denyJti(tx, deny, now);
        await insertEvent(tx, event(ended.rowCount ?? 0));
        return ended.rowCount ?? 0;
      }),
    async denyJti(entry) {
      await denyJti(db, entry);
    },
    reauthenticate: ({ familyId, userId, now, amr, event }) =>
      transaction(pool, async (tx) => {
        const [family] = await tx
          .update(refreshFamilies)
          .set({ authTime: now, amr })
          .where(
            and(
              eq(refreshFamilies.id, familyId),
              eq(refreshFamilies.userId, userId),
              isNull(refreshFamilies.revokedAt),
              gt(refreshFamilies.absoluteExpiresAt, now),
            ),
          )
          .returning();
        if (!family) return null;
        await insertEvent(tx, event);
        return family;
      }),
  };
}
