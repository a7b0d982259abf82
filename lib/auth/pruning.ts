import type { PruneCounts, Store } from "@/lib/auth/store";

/** A dead family's rows are kept this long, so a late visit still learns why its session ended. */
export const DEAD_FAMILY_KEEP_MS = 24 * 3600 * 1000;
const PRUNE_BATCH_SIZE = 500;
/** A used authorization code is kept an hour past its minute: a later second use still ends its family. */
const AUTHORIZATION_CODE_KEEP_MS = 3600 * 1000;

/**
 * One pruning pass: dead families (revoked, or expired absolutely or by idleness, more than a day
 * ago) with their tokens, expired deny-list entries, and audit events past AUDIT_RETENTION.
 * Live families keep every token, used ones included: reuse detection reads them.
 */
export function pruneOnce(
  store: Store,
  settings: { now: number; refreshTokenTtl: number; auditRetention: number },
): Promise<PruneCounts | null> {
  const { now } = settings;
  return store.prune({
    familiesDeadBefore: now - DEAD_FAMILY_KEEP_MS,
    familiesIdleBefore: now - settings.refreshTokenTtl * 1000 - DEAD_FAMILY_KEEP_MS,
    jtisExpiredBefore: now,
    eventsBefore: now - settings.auditRetention * 1000,
    emailTokensBefore: now - DEAD_FAMILY_KEEP_MS,
    dpopProofsBefore: now,
    mailBefore: now - DEAD_FAMILY_KEEP_MS,
    pendingBefore: now,
    authorizationCodesBefore: now - AUTHORIZATION_CODE_KEEP_MS,
    batchSize: PRUNE_BATCH_SIZE,
  });
}
