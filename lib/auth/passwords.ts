import { availableParallelism } from "node:os";
import { hash, verify } from "@node-rs/argon2";

/**
 * argon2id with OWASP's minimum (m=19456 KiB, t=2, p=1). @node-rs/argon2 hashes on the libuv
 * thread pool, so a login storm does not block the event loop.
 * `Algorithm` is a const enum in its types; with isolatedModules we pass its value (2 = argon2id).
 */
const ARGON2ID = 2;
export const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

/**
 * At most this many hashes run at once; the rest wait in line. Without a cap a login storm fills
 * every libuv thread, and everything else that uses the pool (WebCrypto signature checks, file
 * I/O) waits behind 15 ms hashes: /api/me's p99 rose ~15x under 20 concurrent logins (see
 * BENCHMARKS.md). One core is left for the event loop.
 */
export const MAX_CONCURRENT_HASHES = Math.max(1, availableParallelism() - 1);

export function createLimiter(max: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async function run<T>(task: () => Promise<T>): Promise<T> {
    if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

const limit = createLimiter(MAX_CONCURRENT_HASHES);

export function hashPassword(password: string): Promise<string> {
  return limit(() => hash(password, ARGON2_OPTIONS));
}

/**
 * The password hash of an account that has no password (made by a provider sign-in, until its
 * owner sets one through "Forgot password?"). Nothing matches it.
 */
export const NO_PASSWORD = "";

/**
 * Whether the password matches the hash. An account without a password matches nothing, after the
 * same work as a real verify (no timing difference tells it apart).
 */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  if (passwordHash === NO_PASSWORD) return verifyAgainstDummy(password);
  try {
    return await limit(() => verify(passwordHash, password));
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * For unknown emails: spend the same time as a real verify so response time does not reveal
 * whether an account exists. The dummy hash is made once per process with the same parameters.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword(`dummy-${crypto.randomUUID()}`);
  await verifyPassword(await dummyHash, password);
  return false;
}
