import { desc, eq } from "drizzle-orm";
import type { PgDb } from "@/db/postgres/client";
import { authEvents } from "@/db/postgres/schema";
import type { Engine } from "@/db/postgres/store";
import type { NewEvent, Store } from "@/lib/auth/store";

/** The audit trail; `insertEvent` also runs inside other units' transactions. */
export const insertEvent = (tx: PgDb, e: NewEvent) => tx.insert(authEvents).values(e);

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
