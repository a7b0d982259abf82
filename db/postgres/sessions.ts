import { and, desc, eq, getTableColumns, gt, isNull, lt, ne, sql } from "drizzle-orm";
import type pg from "pg";
import type { PgDb } from "@/db/postgres/client";
import { insertEvent } from "@/db/postgres/events";
import { refreshFamilies, refreshTokens, revokedJtis, users } from "@/db/postgres/schema";
import type { Engine } from "@/db/postgres/store";
import { GateLost, MAX_ATTEMPTS, transaction } from "@/db/postgres/transaction";
import type { DenyJti, NewRefreshToken, PresentedToken, RotationWrites, Store, UserRow } from "@/lib/auth/store";

/**
 * Sessions: refresh families and their tokens (the rotation), the full check, ending sessions,
 * the deny-list.
 */

const presentedFields = {
  id: refreshTokens.id,
  familyId: refreshTokens.familyId,
  generation: refreshTokens.generation,
  usedAt: refreshTokens.usedAt,
  supersededAt: refreshTokens.supersededAt,
  userId: refreshFamilies.userId,
  familyCreatedAt: refreshFamilies.createdAt,
  lastUsedAt: refreshFamilies.lastUsedAt,
  absoluteExpiresAt: refreshFamilies.absoluteExpiresAt,
  revokedAt: refreshFamilies.revokedAt,
  revokedReason: refreshFamilies.revokedReason,
  client: refreshFamilies.client,
  dpopJkt: refreshFamilies.dpopJkt,
  amr: refreshFamilies.amr,
  authTime: refreshFamilies.authTime,
};

export const insertToken = (tx: PgDb, t: NewRefreshToken) =>
  tx.insert(refreshTokens).values({
    id: t.id,
    familyId: t.familyId,
    parentId: t.parentId,
    generation: t.generation,
    tokenHash: t.tokenHash,
    createdAt: t.now,
    expiresAt: t.expiresAt,
  });

export const touchFamily = (tx: PgDb, id: string, now: number) =>
  tx.update(refreshFamilies).set({ lastUsedAt: now }).where(eq(refreshFamilies.id, id));

/** Deny-list entries are useless once the token would have expired anyway: swept as we add. */
export async function denyJti(tx: PgDb, entry: DenyJti, now?: number) {
  await tx.insert(revokedJtis).values(entry).onConflictDoNothing();
  if (now !== undefined) await tx.delete(revokedJtis).where(lt(revokedJtis.expiresAt, now));
}

/** Every column of the user but the password hash: what the full check reads (new columns too). */
const { passwordHash, ...accountColumns } = getTableColumns(users);

const revoked = (now: number, reason: string) => ({ revokedAt: now, revokedReason: reason });

type PlainRotation = Required<Pick<RotationWrites, "markUsed" | "insertToken" | "touchFamily" | "event">>;

function isPlainRotation(w: RotationWrites): w is RotationWrites & PlainRotation {
  return !!w.markUsed && !!w.insertToken && !!w.touchFamily && !!w.event && !w.supersedeSuccessor && !w.revokeFamily;
}

/**
 * The gate and the writes it allows as one statement: data-modifying CTEs that all read from the
 * gate's RETURNING, so when the gate changes no row nothing else is written and the count is 0.
 */
async function rotateInOneStatement(tx: PgDb, token: PresentedToken, w: PlainRotation, now: number) {
  const t = w.insertToken;
  const e = w.event;
  const result = await tx.execute<{ n: number }>(sql`
    with gate as (
      update refresh_tokens set used_at = ${now}::bigint where id = ${token.id} and used_at is null returning id
    ), successor as (
      insert into refresh_tokens (id, family_id, parent_id, generation, token_hash, created_at, expires_at)
      select ${t.id}::text, ${t.familyId}::text, ${t.parentId}::text, ${t.generation}::int, ${t.tokenHash}::text,
        ${t.now}::bigint, ${t.expiresAt}::bigint
      from gate
    ), family as (
      update refresh_families set last_used_at = ${now}::bigint where id = ${token.familyId} and exists (select 1 from gate)
    ), event as (
      insert into auth_events (type, at, user_id, family_id, ip, user_agent, detail)
      select ${e.type}::text, ${e.at}::bigint, ${e.userId}::text, ${e.familyId}::text, ${e.ip}::text,
        ${e.userAgent}::text, ${e.detail}::text
      from gate
    )
    select count(*)::int as n from gate`);
  if (Number(result.rows[0]?.n) !== 1) throw new GateLost();
}

/** An UPDATE that is a gate: exactly one row, or someone else got there first. */
const gate = async (update: Promise<{ rowCount: number | null }>) => {
  if ((await update).rowCount !== 1) throw new GateLost();
};

/**
 * The rotation unit under READ COMMITTED. The first statement finds the presented token by its hash
 * and locks its family's row, then the token's row (FOR UPDATE OF families, tokens: PostgreSQL
 * locks in the order of that list). Every unit that writes a family's tokens (rotation, password
 * change) holds the family's row first, so they queue instead of deadlocking, and a waiter reads
 * the rows as the unit before it committed them (a locked row is re-read at its newest version).
 * Then the user and the successor are read, the core's pure `decide` runs, and its writes apply,
 * gates first: UPDATE … WHERE id = $1 AND used_at IS NULL, whose row count decides. The WHERE is
 * on the target row itself, so PostgreSQL re-checks it after waiting on a concurrent writer (a
 * guard in a subquery would not be). A gate that changed no row (the successor is not locked, so a
 * concurrent rotation of it can win) rolls everything back, and the unit reads and decides again.
 */
function createRotate(pool: pg.Pool): Store["rotate"] {
  return async function rotate(tokenHash, decide) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await transaction(pool, async (tx) => {
          const [row] = await tx
            .select({ token: presentedFields, user: getTableColumns(users) })
            .from(refreshTokens)
            .innerJoin(refreshFamilies, eq(refreshFamilies.id, refreshTokens.familyId))
            .leftJoin(users, eq(users.id, refreshFamilies.userId))
            .where(eq(refreshTokens.tokenHash, tokenHash))
            .for("update", { of: [refreshFamilies, refreshTokens] });
          const token: PresentedToken | undefined = row?.token;
          const user: UserRow | undefined = row?.user ?? undefined;
          const [successor] =
            token && token.usedAt !== null
              ? await tx
                  .select({ id: refreshTokens.id, usedAt: refreshTokens.usedAt })
                  .from(refreshTokens)
                  .where(and(eq(refreshTokens.parentId, token.id), isNull(refreshTokens.supersededAt)))
                  .limit(1)
              : [];
          const { writes, result } = decide(token && { token, user, successor });
          if (!token) return result;
          const now = writes.now ?? 0;
          // The common case, a plain rotation, in one round trip instead of four.
          if (isPlainRotation(writes)) {
            await rotateInOneStatement(tx, token, writes, now);
            return result;
          }
          if (writes.markUsed) {
            await gate(
              tx
                .update(refreshTokens)
                .set({ usedAt: now })
                .where(and(eq(refreshTokens.id, token.id), isNull(refreshTokens.usedAt))),
            );
          }
          if (writes.supersedeSuccessor) {
            await gate(
              tx
                .update(refreshTokens)
                .set({ usedAt: now, supersededAt: now })
                .where(and(eq(refreshTokens.id, writes.supersedeSuccessor.id), isNull(refreshTokens.usedAt))),
            );
            await tx.update(refreshTokens).set({ usedAt: now }).where(eq(refreshTokens.id, token.id));
          }
          if (writes.insertToken) await insertToken(tx, writes.insertToken);
          if (writes.touchFamily) await touchFamily(tx, token.familyId, now);
          if (writes.revokeFamily) {
            await tx
              .update(refreshFamilies)
              .set({ revokedAt: now, revokedReason: writes.revokeFamily.reason })
              .where(and(eq(refreshFamilies.id, token.familyId), isNull(refreshFamilies.revokedAt)));
          }
          if (writes.event) await insertEvent(tx, writes.event);
          return result;
        });
      } catch (error) {
        if (error instanceof GateLost && attempt < MAX_ATTEMPTS) continue;
        if (error instanceof GateLost) throw new Error(`rotation gate lost ${MAX_ATTEMPTS} times in a row`);
        throw error;
      }
    }
  };
}

export function sessionUnits({
  db,
  pool,
}: Engine): Pick<
  Store,
  | "startFamily"
  | "presentedToken"
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

  return {
    async startFamily(family, token, event) {
      await transaction(pool, async (tx) => {
        const { now, ...rest } = family;
        await tx.insert(refreshFamilies).values({ ...rest, createdAt: now, lastUsedAt: now });
        await insertToken(tx, token);
        await insertEvent(tx, event);
      });
    },
    async presentedToken(tokenHash) {
      const [row] = await db
        .select(presentedFields)
        .from(refreshTokens)
        .innerJoin(refreshFamilies, eq(refreshFamilies.id, refreshTokens.familyId))
        .where(eq(refreshTokens.tokenHash, tokenHash));
      return row;
    },
    rotate: createRotate(pool),
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
