/** The in-memory full check's rules, without a database (db/revocation-cache.ts). */
import { describe, expect, it } from "vitest";
import { createRevocationCache, parseNotice } from "@/db/revocation-cache";
import type { FullCheckRow } from "@/lib/auth/store";

const NOW = 1_800_000_000_000;
const row = (over: Partial<FullCheckRow> = {}) =>
  ({
    id: "u1",
    email: "a@example.com",
    tokenVersion: 0,
    disabledAt: null,
    familyUserId: "u1",
    familyRevokedAt: null,
    familyCreatedAt: NOW - 1000,
    familyAbsoluteExpiresAt: NOW + 86400_000,
    jtiRevoked: false,
    ...over,
  }) as FullCheckRow;

function live() {
  let now = NOW;
  const cache = createRevocationCache({ now: () => now, maxEntries: 3 });
  cache.goLive([{ jti: "denied", expiresAt: NOW + 60_000 }]);
  return { cache, advance: (ms: number) => (now += ms) };
}

describe("the revocation cache fails closed", () => {
  it("says nothing before it is live, after it goes down, and for what it has not read", () => {
    const cache = createRevocationCache({ now: () => NOW });
    cache.remember("u1", "f1", "j1", row(), cache.epoch());
    expect(cache.lookup("u1", "f1", "j1")).toBeUndefined();
    cache.goLive([]);
    expect(cache.lookup("u1", "f1", "j1")).toBeUndefined();
    cache.remember("u1", "f1", "j1", row(), cache.epoch());
    expect(cache.lookup("u1", "f1", "j1")).toEqual(row());
    expect(cache.lookup("u1", "f2", "j1")).toBeUndefined();
    cache.goDown();
    expect(cache.lookup("u1", "f1", "j1")).toBeUndefined();
  });

  it("a read that a notice overtook is not kept (it may be older than the notice)", () => {
    const { cache } = live();
    const epoch = cache.epoch();
    cache.apply({ kind: "user", id: "u1" }); // arrives while the read is on its way
    cache.remember("u1", "f1", "j1", row(), epoch);
    expect(cache.lookup("u1", "f1", "j1")).toBeUndefined();
  });

  it("notices drop what they name; denied jtis answer from memory until they expire", () => {
    const { cache, advance } = live();
    cache.remember("u1", "f1", "j1", row(), cache.epoch());
    cache.apply({ kind: "family", id: "f1" });
    expect(cache.lookup("u1", "f1", "j1")).toBeUndefined();
    cache.remember("u1", "f1", "j1", row(), cache.epoch());
    cache.apply({ kind: "user", id: "u1" });
    expect(cache.lookup("u1", "f1", "j1")).toBeUndefined();
    cache.remember("u1", "f1", "j1", row(), cache.epoch());
    expect(cache.lookup("u1", "f1", "denied")?.jtiRevoked).toBe(true);
    cache.apply({ kind: "jti", jti: "j1", expiresAt: NOW + 1_000 });
    expect(cache.lookup("u1", "f1", "j1")?.jtiRevoked).toBe(true);
    advance(1_000);
    expect(cache.lookup("u1", "f1", "j1")?.jtiRevoked).toBe(false); // that token expired anyway
  });

  it("a denial read from the database is learnt even when the row itself cannot be kept", () => {
    const { cache } = live();
    const epoch = cache.epoch();
    cache.apply({ kind: "family", id: "other" });
    cache.remember("u1", "f1", "j9", row({ jtiRevoked: true }), epoch);
    cache.remember("u1", "f1", "j1", row(), cache.epoch());
    expect(cache.lookup("u1", "f1", "j9")?.jtiRevoked).toBe(true);
  });

  it("memory is bounded: the oldest entries make way", () => {
    const { cache } = live();
    for (let i = 0; i < 10; i++) cache.remember(`u${i}`, `f${i}`, "j", row({ familyUserId: `u${i}` }), cache.epoch());
    expect(cache.size()).toEqual({ users: 3, families: 3, denied: 1 });
    expect(cache.lookup("u0", "f0", "j")).toBeUndefined();
    expect(cache.lookup("u9", "f9", "j")).toBeDefined();
  });
});

describe("notice payloads", () => {
  it("reads the triggers' three shapes and refuses anything else", () => {
    expect(parseNotice("u:abc")).toEqual({ kind: "user", id: "abc" });
    expect(parseNotice("f:abc")).toEqual({ kind: "family", id: "abc" });
    expect(parseNotice("j:1800000000000:a:b")).toEqual({ kind: "jti", jti: "a:b", expiresAt: 1800000000000 });
    for (const bad of ["", "u:", "x:abc", "j:abc", "j:12:", "j::x", "uabc"]) expect(parseNotice(bad)).toBeNull();
  });
});
