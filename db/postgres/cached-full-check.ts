import type { RevocationCache } from "@/db/revocation-cache";
import type { Store } from "@/lib/auth/store";

/**
 * Units that cannot change what the full check reads (a user row, a family's revocation, the
 * deny-list): reads, and writes that only add new rows. Every other unit waits, before it
 * returns, until the notices of its own writes have been applied here (`sync`), so a request on
 * this server right after a sign-out is refused. A unit missing here answers later than the
 * notice (milliseconds), never wrong for longer.
 */
const CANNOT_REVOKE = new Set<keyof Store>([
  "userByEmail",
  "userById",
  "userCount",
  "emailsOf",
  "legacyToken",
  "familyById",
  "activeFamilies",
  "emailToken",
  "twoFactorOf",
  "recoveryCodesOf",
  "pendingSignIn",
  "passkeysOf",
  "passkeyById",
  "passkeyUserIdOf",
  "userByPasskeyUserId",
  "accountByProvider",
  "accountsOf",
  "userEvents",
  "recentEvents",
  "listUsers",
  "insertUser",
  "startFamily",
  "insertEvent",
  "rememberDpopProof",
  "issueEmailToken",
  "queueMail",
  "claimMail",
  "mailSent",
  "mailFailed",
  "insertPendingSignIn",
  "countPendingAttempt",
  "insertChallenge",
  "takeChallenge",
  "insertAuthorizationCode",
  "authorizationCode",
  "useAuthorizationCode",
  "authorizationCodeStarted",
]);

/**
 * The store with the full check answered from `cache` when it can (docs/decisions/
 * pushed-revocation.md); everything else goes to the database as before.
 */
export function withCachedFullCheck(store: Store, cache: RevocationCache, sync: () => Promise<void>): Store {
  const out = { ...store } as Record<string, unknown>;
  for (const [name, method] of Object.entries(store) as [keyof Store, (...a: unknown[]) => Promise<unknown>][]) {
    if (CANNOT_REVOKE.has(name) || name === "fullCheck" || typeof method !== "function") continue;
    out[name] =
      name === "rotate"
        ? async (...args: unknown[]) => {
            const result = (await method(...args)) as { kind?: string };
            // Rotations and grace answers revoke nothing; a refused one may have ended its family.
            if (result?.kind !== "rotated" && result?.kind !== "grace") await sync();
            return result;
          }
        : async (...args: unknown[]) => {
            try {
              return await method(...args);
            } finally {
              await sync();
            }
          };
  }
  out.fullCheck = async (sub: string, sid: string, jti: string) => {
    const cached = cache.lookup(sub, sid, jti);
    if (cached) return cached;
    const epoch = cache.epoch();
    const row = await store.fullCheck(sub, sid, jti);
    if (row) cache.remember(sub, sid, jti, row, epoch);
    return row;
  };
  return out as unknown as Store;
}
