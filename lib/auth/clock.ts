import { randomBytes, randomUUID } from "node:crypto";

/** Injected time and randomness, so lifecycle logic is testable without waiting or guessing. */
export type Clock = { now(): number };
export type Random = { bytes(length: number): Buffer; uuid(): string };

export const systemClock: Clock = { now: () => Date.now() };
export const systemRandom: Random = { bytes: (n) => randomBytes(n), uuid: () => randomUUID() };

/** A clock tests move by hand. */
export function manualClock(
  start = Date.UTC(2026, 0, 1),
): Clock & { advance(ms: number): void; set(ms: number): void } {
  let current = start;
  return {
    now: () => current,
    advance(ms) {
      current += ms;
    },
    set(ms) {
      current = ms;
    },
  };
}
