/**
 * SQLite's WAL is checkpointed off the request path by a worker thread (db/sqlite/checkpointer.ts).
 * Once every frame is checkpointed, the next write starts the WAL file over from its beginning; a
 * WAL nobody checkpoints keeps growing (the control).
 */
import fs from "node:fs";
import { expect, it } from "vitest";
import { openSqliteStorage } from "@/db/sqlite";
import { TEST_ENGINE, tempDatabasePath } from "./helpers";

async function walGrowth(server: boolean) {
  const file = tempDatabasePath();
  const storage = openSqliteStorage(file, { server });
  // Without the worker, no inline checkpoint either (as in a server between thresholds).
  if (!server) storage.sqlite!.$client.pragma("wal_autocheckpoint = 10000");
  const write = async () => {
    for (let i = 0; i < 200; i++) {
      await storage.store.insertEvent({
        type: "sign_in_failed",
        at: i,
        userId: null,
        familyId: null,
        ip: null,
        userAgent: null,
        detail: "{}",
      });
    }
  };
  await write();
  const first = fs.statSync(`${file}-wal`).size;
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await write();
  const second = fs.statSync(`${file}-wal`).size;
  await storage.close();
  return second / first;
}

it.skipIf(TEST_ENGINE !== "sqlite")(
  "a server's WAL is checkpointed by the worker and starts over; without it the WAL grows",
  async () => {
    expect(await walGrowth(false)).toBeGreaterThan(1.8);
    expect(await walGrowth(true)).toBeLessThan(1.2);
  },
);
