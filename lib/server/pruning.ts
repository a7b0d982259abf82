import { pruneOnce } from "@/lib/auth/pruning";
import type { Runtime } from "@/lib/server/runtime";

const HOUR_MS = 3600 * 1000;

/**
 * Prunes about once an hour on an unref'd timer, jittered so instances started together spread
 * out (engines with many instances also take a lock: one prunes at a time). A failure is logged
 * and tried again next time; it never takes the process down.
 */
export function startPruning(rt: Runtime, everyMs = HOUR_MS) {
  const run = async () => {
    try {
      const counts = await pruneOnce(rt.storage.store, { now: rt.clock.now(), ...rt.config });
      if (counts && counts.families + counts.jtis + counts.events > 0)
        rt.log.info({ pruned: counts }, "pruned old rows");
    } catch (error) {
      rt.log.warn({ err: error }, "pruning failed; will try again");
    } finally {
      schedule();
    }
  };
  const schedule = () => setTimeout(run, everyMs * (0.8 + Math.random() * 0.4)).unref();
  // The first pass soon after start-up (an instance that restarts often still prunes).
  setTimeout(run, 30_000 + Math.random() * 60_000).unref();
}
