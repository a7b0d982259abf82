import { desc, eq, sql } from "drizzle-orm";
import type { PgDb } from "@/db/postgres/client";
import { directRun } from "@/db/postgres/prepared";
import { authEvents } from "@/db/postgres/schema";
import type { Engine } from "@/db/postgres/store";
import type { NewEvent, Store } from "@/lib/auth/store";

const p = sql.placeholder;
let insertStatement: ReturnType<typeof directRun> | undefined;

/**
 * The audit trail; `insertEvent` also runs inside other units' transactions. Every sign-in and
 * sign-out writes a row: a named statement (db/postgres/prepared.ts), built on first use.
 */
export function insertEvent(tx: PgDb, e: NewEvent): Promise<number> {
  insertStatement ??= directRun(
    "auth_insert_event",
    tx.insert(authEvents).values({
      type: p("type"),
      at: p("at"),
      userId: p("userId"),
      familyId: p("familyId"),
      ip: p("ip"),
      userAgent: p("userAgent"),
      detail: p("detail"),
    }),
  );
  return insertStatement.run(tx, e);
}

export function eventUnits({ db }: Engine): Pick<Store, "insertEvent" | "userEvents" | "recentEvents"> {
  return {
    async insertEvent(event) {
      await insertEvent(db, event);
    },
    userEvents: (userId, limit) =>
      db.select().from(authEvents).where(eq(authEvents.userId, userId)).orderBy(desc(authEvents.id)).limit(limit),
    recentEvents: (limit) => db.select().from(authEvents).orderBy(desc(authEvents.id)).limit(limit),
  };
}
