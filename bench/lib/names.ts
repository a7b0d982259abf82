/** Row names shared by bench/micro.ts (which measures) and bench/run.ts (which reports ratios). */
export const MICRO = {
  verifyJose: "verifyAccessToken (jose, WebCrypto)",
  verifyRaw: "raw node:crypto ES256 verify (sync)",
  verifySubtle: "raw crypto.subtle ES256 verify (async)",
  cacheHit: "createVerifiedTokenCache hit",
  signJose: "signAccessToken (node:crypto KeyObject)",
  signRaw: "raw node:crypto ES256 sign (sync)",
  proxyGuardHit: "proxy(): protected path, guard, cached token",
  proxyUnguarded: "proxy(): unprotected path (no guard)",
  proxyGuardMiss: "proxy(): protected path, guard, new token",
  txStore: "rotation tx: Store (db/sqlite/store.ts) store.rotate",
  txRaw: "rotation tx: raw better-sqlite3 + .immediate()",
  refresh: "auth.refresh() (rotation tx + ES256 sign)",
  authenticate: "auth.authenticate() (cached verify + 1 query)",
} as const;

/** Per-round ratios micro.ts records, as [numerator, denominator]. */
export const MICRO_RATIOS: [string, string][] = [
  [MICRO.verifyJose, MICRO.verifyRaw],
  [MICRO.verifySubtle, MICRO.verifyRaw],
  [MICRO.cacheHit, MICRO.verifyRaw],
  [MICRO.signJose, MICRO.signRaw],
  [MICRO.txStore, MICRO.txRaw],
  [MICRO.proxyGuardHit, MICRO.proxyUnguarded],
  [MICRO.proxyGuardMiss, MICRO.proxyUnguarded],
];
