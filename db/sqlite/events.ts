import { desc, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/sqlite/client";
import { directRun } from "@/db/sqlite/prepared";
import { authEvents } from "@/db/sqlite/schema";
import type { Engine } from "@/db/sqlite/store";
import type { Store } from "@/lib/auth/store";

const p = sql.placeholder;

/** The audit trail. */
export function eventStatements(db: Db) {
  return {
    // On the rotation path: run on better-sqlite3 directly (db/sqlite/prepared.ts).
    insertEvent: directRun(
      db.$client,
      db.insert(authEvents).values({
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
}

export function eventUnits({ q, insertEvent }: Engine): Pick<Store, "insertEvent" | "userEvents" | "recentEvents"> {
  return {
    async insertEvent(event) {
      insertEvent(event);
    },
    userEvents: async (userId, limit) => q.userEvents.all({ userId, limit }),
    recentEvents: async (limit) => q.recentEvents.all({ limit }),
  };
}
