/** Cross-tab mutual exclusion for refreshes: only one tab rotates the shared cookie at a time. */

const LOCK_NAME = "auth-starter:refresh";
const LEASE_KEY = "auth-starter:refresh-lease";
/** How long a tab waits for another tab's refresh before going ahead on its own. */
const LOCK_TIMEOUT_MS = 10_000;
/** A lease outlives the slowest refresh request, then expires by itself. */
const LEASE_MS = 15_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs fn while holding the cross-tab refresh lock. fn learns whether it had to wait for another
 * tab. Web Locks where available; elsewhere a short localStorage lease (a lock marker, never a
 * token). A lock held longer than LOCK_TIMEOUT_MS is given up on: fn runs anyway, and the server's
 * reuse grace window keeps a concurrent refresh safe.
 */
export async function withRefreshLock<T>(fn: (waited: boolean) => Promise<T>, owner: string): Promise<T> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  if (locks?.request) {
    const busy = Symbol("busy");
    let result: T | typeof busy;
    let ran = false;
    try {
      result = await locks.request(LOCK_NAME, { ifAvailable: true }, (lock) => {
        if (!lock) return busy;
        ran = true;
        return fn(false);
      });
    } catch (error) {
      if (ran) throw error;
      return fn(false); // locks unusable here (e.g. an opaque origin)
    }
    if (result !== busy) return result;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), LOCK_TIMEOUT_MS);
    let started = false;
    try {
      return await locks.request(LOCK_NAME, { signal: abort.signal }, () => {
        started = true;
        clearTimeout(timer);
        return fn(true);
      });
    } catch (error) {
      if (started) throw error;
      return fn(true); // the lock is stuck: go ahead without it
    } finally {
      clearTimeout(timer);
    }
  }
  return withLease(fn, owner);
}

async function withLease<T>(fn: (waited: boolean) => Promise<T>, owner: string): Promise<T> {
  let storage: Storage;
  try {
    storage = window.localStorage;
    storage.getItem(LEASE_KEY);
  } catch {
    return fn(false);
  }
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  let waited = false;
  let held = false;
  while (Date.now() < deadline) {
    const [holder, until] = (storage.getItem(LEASE_KEY) ?? "").split(":");
    if (!holder || Number(until) < Date.now()) {
      storage.setItem(LEASE_KEY, `${owner}:${Date.now() + LEASE_MS}`);
      await sleep(25); // let a racing tab's write land, then see who won
      if ((storage.getItem(LEASE_KEY) ?? "").startsWith(`${owner}:`)) {
        held = true;
        break;
      }
    }
    waited = true;
    await sleep(100 + Math.random() * 100);
  }
  try {
    return await fn(waited);
  } finally {
    if (held && (storage.getItem(LEASE_KEY) ?? "").startsWith(`${owner}:`)) storage.removeItem(LEASE_KEY);
  }
}
