import { Worker } from "node:worker_threads";

/**
 * WAL checkpoints off the request path: a worker thread with its own connection runs a PASSIVE
 * checkpoint every second (it never waits for readers or writers). The request-serving connection
 * then rarely crosses its own (raised) auto-checkpoint threshold, which would run the checkpoint
 * and its fsync inline on the event loop (BENCHMARKS.md). If the worker cannot start, that
 * threshold still bounds the WAL.
 */
const WORKER = `
const { workerData } = require("node:worker_threads");
const Database = require("better-sqlite3");
const db = new Database(workerData.file);
db.pragma("busy_timeout = 1000");
setInterval(() => {
  try { db.pragma("wal_checkpoint(PASSIVE)"); } catch { /* busy or closing: next time */ }
}, workerData.everyMs);
`;

/** The main connection's backstop: checkpoint inline only past this many WAL pages (~40 MB). */
export const INLINE_CHECKPOINT_PAGES = 10_000;

export function startCheckpointer(file: string, everyMs = 1000): () => Promise<void> {
  let worker: Worker | undefined;
  try {
    worker = new Worker(WORKER, { eval: true, workerData: { file, everyMs } });
    worker.on("error", () => undefined); // the inline backstop takes over
    worker.unref();
  } catch {
    worker = undefined;
  }
  return async () => {
    await worker?.terminate();
  };
}
