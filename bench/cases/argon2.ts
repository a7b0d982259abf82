/**
 * The argon2id-only limit: how many password verifications per second this machine does at the
 * parameters and the concurrency cap the server uses (lib/auth/passwords.ts), with nothing else
 * running. Login throughput is reported against it.
 */
import { ARGON2_OPTIONS, MAX_CONCURRENT_HASHES, hashPassword, verifyPassword } from "@/lib/auth/passwords";

export type Argon2Result = { opsPerSec: number; concurrency: number; options: typeof ARGON2_OPTIONS };

export async function argon2Limit(seconds: number): Promise<Argon2Result> {
  const hash = await hashPassword("bench-password-123");
  for (let i = 0; i < 5; i++) await verifyPassword(hash, "bench-password-123"); // warm-up
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  const started = performance.now();
  // More callers than the cap: the cap's own queue keeps every allowed thread busy, as in a storm.
  await Promise.all(
    Array.from({ length: MAX_CONCURRENT_HASHES * 4 }, async () => {
      while (performance.now() < deadline) {
        await verifyPassword(hash, "bench-password-123");
        done++;
      }
    }),
  );
  return {
    opsPerSec: done / ((performance.now() - started) / 1000),
    concurrency: MAX_CONCURRENT_HASHES,
    options: ARGON2_OPTIONS,
  };
}
