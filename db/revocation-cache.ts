import type { FullCheckRow } from "@/lib/auth/store";

/**
 * What the full check reads, kept in memory and invalidated by pushed notices
 * (docs/decisions/pushed-revocation.md). It never answers on its own when it cannot be sure: until
 * the feed is live, after the feed goes down, and for anything not cached, `lookup` says nothing
 * and the caller reads the database. It fails closed.
 *
 * Access tokens live at most ACCESS_TOKEN_TTL, so the revocations that matter to them are those
 * of the last ACCESS_TOKEN_TTL: denied jtis (loaded at start, then pushed), and any change to a
 * user row or a family's revocation (pushed; the cached row is dropped and read again).
 */
type FamilyPart = Pick<
  FullCheckRow,
  "familyUserId" | "familyRevokedAt" | "familyCreatedAt" | "familyAbsoluteExpiresAt"
>;
type UserPart = Omit<FullCheckRow, keyof FamilyPart | "jtiRevoked">;

export type RevocationNotice =
  { kind: "user"; id: string } | { kind: "family"; id: string } | { kind: "jti"; jti: string; expiresAt: number };

/** How long a jti learnt from a database read (its expiry unknown here) stays denied: past any access token's life. */
const LEARNT_JTI_MS = 24 * 3600_000;

export type RevocationCache = ReturnType<typeof createRevocationCache>;

export function createRevocationCache({ now, maxEntries = 100_000 }: { now: () => number; maxEntries?: number }) {
  let live = false;
  /** Bumped by every notice and clear: a read that started before one must not be remembered. */
  let epoch = 0;
  const users = new Map<string, UserPart>();
  const families = new Map<string, FamilyPart>();
  const denied = new Map<string, number>();

  /** Insertion order is age: the oldest entry makes way (a bounded memory, whatever the traffic). */
  function put<V>(map: Map<string, V>, key: string, value: V) {
    map.delete(key);
    map.set(key, value);
    if (map.size > maxEntries) map.delete(map.keys().next().value!);
  }

  function deny(jti: string, expiresAt: number) {
    if (expiresAt > now()) put(denied, jti, expiresAt);
  }

  function isDenied(jti: string) {
    const until = denied.get(jti);
    return until !== undefined && until > now();
  }

  function clearRows() {
    epoch++;
    users.clear();
    families.clear();
  }

  return {
    isLive: () => live,
    epoch: () => epoch,
    /** The row the database would answer, or undefined when the cache cannot say so. */
    lookup(sub: string, sid: string, jti: string): FullCheckRow | undefined {
      if (!live) return undefined;
      const user = users.get(sub);
      const family = families.get(sid);
      if (!user || !family) return undefined;
      return { ...user, ...family, jtiRevoked: isDenied(jti) };
    },
    /** What a database read answered, kept unless a notice or a clear came while it ran. */
    remember(sub: string, sid: string, jti: string, row: FullCheckRow, readEpoch: number) {
      if (!live) return;
      // A denial is permanent, so learning one is always safe.
      if (row.jtiRevoked) deny(jti, now() + LEARNT_JTI_MS);
      if (readEpoch !== epoch) return;
      const { familyUserId, familyRevokedAt, familyCreatedAt, familyAbsoluteExpiresAt, jtiRevoked: _, ...user } = row;
      put(users, sub, user);
      // A missing family (pruned, or made up) is read every time: nothing to keep.
      if (familyUserId !== null)
        put(families, sid, { familyUserId, familyRevokedAt, familyCreatedAt, familyAbsoluteExpiresAt });
    },
    apply(notice: RevocationNotice) {
      epoch++;
      if (notice.kind === "user") users.delete(notice.id);
      else if (notice.kind === "family") families.delete(notice.id);
      else deny(notice.jti, notice.expiresAt);
    },
    /** The feed listens and the denied jtis are loaded: answers from memory from now on. */
    goLive(deniedJtis: { jti: string; expiresAt: number }[]) {
      clearRows();
      denied.clear();
      for (const { jti, expiresAt } of deniedJtis) deny(jti, expiresAt);
      live = true;
    },
    /** The feed is down (or stopped): every check reads the database until it is live again. */
    goDown() {
      live = false;
      clearRows();
      denied.clear();
    },
    /** Drops denied jtis whose tokens have expired anyway. */
    pruneExpired() {
      const t = now();
      for (const [jti, until] of denied) if (until <= t) denied.delete(jti);
    },
    size: () => ({ users: users.size, families: families.size, denied: denied.size }),
  };
}

/** The payload format of the database triggers (`u:<id>`, `f:<id>`, `j:<expiresAt>:<jti>`); null for anything else. */
export function parseNotice(payload: string): RevocationNotice | null {
  const kind = payload.slice(0, 2);
  const rest = payload.slice(2);
  if (!rest) return null;
  if (kind === "u:") return { kind: "user", id: rest };
  if (kind === "f:") return { kind: "family", id: rest };
  if (kind === "j:") {
    const colon = rest.indexOf(":");
    const expiresAt = Number(rest.slice(0, colon));
    const jti = rest.slice(colon + 1);
    return colon > 0 && Number.isFinite(expiresAt) && jti ? { kind: "jti", jti, expiresAt } : null;
  }
  return null;
}
