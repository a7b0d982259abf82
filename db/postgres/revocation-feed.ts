import pg from "pg";
import { parseNotice, type RevocationCache } from "@/db/revocation-cache";

/** The channel the triggers of migration 0007_revocation_notices notify on. */
const REVOCATION_CHANNEL = "auth_revocations";
/** Our own notices on the channel, which the triggers never send (see sync). */
const BARRIER = "s:";

export type FeedOptions = {
  url: string;
  cache: RevocationCache;
  /** How often the listening connection is checked; a failed check takes the cache down. */
  heartbeatMs?: number;
  /** How long after losing the connection it tries again. */
  reconnectMs?: number;
  /** Told about connection trouble (the message only: never the URL). */
  onTrouble?: (message: string) => void;
};

/**
 * Keeps `cache` live on one dedicated connection that LISTENs for the revocation notices the
 * database triggers send (docs/decisions/pushed-revocation.md). Order of going live: LISTEN
 * first, then load the denied jtis, so nothing committed in between is missed. Any trouble (the
 * connection ends or errors, a heartbeat fails or stalls) takes the cache down at once, so every
 * full check reads the database, and a new connection is tried after `reconnectMs`.
 */
export function startRevocationFeed({ url, cache, heartbeatMs = 2_000, reconnectMs = 1_000, onTrouble }: FeedOptions): {
  stop(): Promise<void>;
  ready(): Promise<void>;
  sync(): Promise<void>;
} {
  let client: pg.Client | null = null;
  /** Barriers waiting for their own notice to come back (see sync). */
  const barriers = new Map<string, () => void>();
  let barrierCount = 0;
  /** The listening connection runs one query at a time (heartbeats and barriers take turns). */
  let queue: Promise<unknown> = Promise.resolve();
  function serial<T>(query: () => Promise<T>): Promise<T> {
    const next = queue.then(query);
    queue = next.catch(() => undefined);
    return next;
  }
  let stopped = false;
  let heartbeat: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;
  let becameLive: () => void = () => undefined;
  let live = new Promise<void>((resolve) => (becameLive = resolve));

  function down(message: string) {
    const wasLive = cache.isLive();
    cache.goDown();
    // Whoever waits on a barrier can go on: with the cache down every check reads the database.
    for (const release of barriers.values()) release();
    barriers.clear();
    if (wasLive) live = new Promise<void>((resolve) => (becameLive = resolve));
    clearInterval(heartbeat);
    const dead = client;
    client = null;
    if (dead) {
      dead.removeAllListeners("notification");
      dead.on("error", () => undefined);
      dead.end().catch(() => undefined);
    }
    if (stopped) return;
    onTrouble?.(message);
    clearTimeout(retry);
    retry = setTimeout(connect, reconnectMs);
    retry.unref();
  }

  async function connect() {
    if (stopped) return;
    const c = new pg.Client({
      connectionString: url,
      application_name: "auth-starter revocations",
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
    });
    client = c;
    c.on("error", (error) => client === c && down(`revocation feed: ${error.message}`));
    c.on("end", () => client === c && down("revocation feed: connection ended"));
    c.on("notification", (message) => {
      if (message.channel !== REVOCATION_CHANNEL || !message.payload) return;
      if (message.payload.startsWith(BARRIER)) {
        barriers.get(message.payload)?.();
        barriers.delete(message.payload);
        return;
      }
      const notice = parseNotice(message.payload);
      if (notice) cache.apply(notice);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${REVOCATION_CHANNEL}`);
      const { rows } = await c.query<{ jti: string; expires_at: string }>(
        "select jti, expires_at from revoked_jtis where expires_at > $1",
        [Date.now()],
      );
      if (client !== c || stopped) return;
      cache.goLive(rows.map((r) => ({ jti: r.jti, expiresAt: Number(r.expires_at) })));
      becameLive();
      heartbeat = setInterval(() => void beat(c), heartbeatMs);
      heartbeat.unref();
    } catch (error) {
      if (client === c) down(`revocation feed: ${(error as Error).message}`);
    }
  }

  /** A round trip on the listening connection; one that fails or takes longer than the interval is trouble. */
  async function beat(c: pg.Client) {
    cache.pruneExpired();
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("heartbeat timed out")), heartbeatMs).unref(),
    );
    try {
      await Promise.race([serial(() => c.query("select 1")), timeout]);
    } catch (error) {
      if (client === c) down(`revocation feed: ${(error as Error).message}`);
    }
  }

  /**
   * Resolves once every notice of what this process committed so far has been applied: a notice
   * of our own is sent after those commits, and PostgreSQL delivers notices in commit order. A
   * write on this server calls it before answering, so the next request here sees the write.
   * Trouble (no notice back within a second) takes the cache down instead.
   */
  async function sync(): Promise<void> {
    const c = client;
    if (!c || !cache.isLive()) return;
    const payload = `${BARRIER}${process.pid}:${++barrierCount}`;
    const back = new Promise<void>((resolve) => barriers.set(payload, resolve));
    const timer = setTimeout(() => client === c && down("revocation feed: a barrier did not come back"), 1_000);
    timer.unref();
    try {
      await serial(() => c.query("select pg_notify($1, $2)", [REVOCATION_CHANNEL, payload]));
      await back;
    } catch (error) {
      if (client === c) down(`revocation feed: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
      barriers.delete(payload);
    }
  }

  void connect();
  return {
    sync,
    /** Resolves once the cache is live (tests; the app does not wait: it reads the database meanwhile). */
    ready: () => live,
    async stop() {
      stopped = true;
      clearTimeout(retry);
      clearInterval(heartbeat);
      cache.goDown();
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
