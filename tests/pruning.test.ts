/**
 * Pruning (lib/auth/pruning.ts through the storage contract), with an injected clock: dead
 * families go with their tokens after a day, live families keep every token (reuse detection
 * reads the used ones), expired deny-list entries and events past AUDIT_RETENTION go.
 */
import { describe, expect, it } from "vitest";
import { DEAD_FAMILY_KEEP_MS, pruneOnce } from "@/lib/auth/pruning";
import { DAY, META, MINUTE, makeAuth } from "./helpers";

const RETENTION_S = 30 * 86400;

async function scenario() {
  const ctx = await makeAuth();
  const settings = () => ({ now: ctx.clock.now(), refreshTokenTtl: 7 * 86400, auditRetention: RETENTION_S });
  const reg = await ctx.auth.register({ email: "prune@example.com", password: "correct horse battery" }, META);
  if (!reg.ok || !("access" in reg)) throw new Error();
  return { ...ctx, settings, session: reg };
}

describe("pruning", () => {
  it("keeps every token of a live family, used ones included: a replay long after is still caught", async () => {
    const { auth, clock, store, settings, session } = await scenario();
    let current = session.refresh.token;
    for (let i = 0; i < 3; i++) {
      clock.advance(10 * MINUTE);
      const r = await auth.refresh(current, META);
      if (!r.ok || !r.refresh) throw new Error();
      current = r.refresh.token;
    }
    clock.advance(2 * DAY);
    await auth.refresh(current, META); // keeps the family alive (idle lifetime is 7 days)
    const counts = await pruneOnce(store, settings());
    expect(counts?.families).toBe(0);
    expect(await auth.refresh(session.refresh.token, META)).toEqual({ ok: false, error: "reuse_detected" });
  });

  it("deletes a family (and its tokens) a day after it was revoked, not before", async () => {
    const { auth, clock, store, settings, session } = await scenario();
    await auth.logout({ refresh: session.refresh.token }, META);
    expect((await pruneOnce(store, settings()))?.families).toBe(0);
    expect(await store.familyById(session.access.claims.sid)).toBeDefined();
    clock.advance(DEAD_FAMILY_KEEP_MS + MINUTE);
    expect((await pruneOnce(store, settings()))?.families).toBe(1);
    expect(await auth.refresh(session.refresh.token, META)).toEqual({ ok: false, error: "unknown" });
    expect(await store.familyById(session.access.claims.sid)).toBeUndefined();
  });

  it("deletes families that went idle or reached their absolute expiry (plus a day)", async () => {
    const { clock, store, settings } = await scenario();
    clock.advance(8 * DAY + MINUTE); // idle lifetime 7 days + the day kept
    expect((await pruneOnce(store, settings()))?.families).toBe(1);
  });

  it("deletes expired deny-list entries and events past AUDIT_RETENTION, in batches", async () => {
    const { auth, clock, store, settings, session } = await scenario();
    await auth.logout({ access: session.access.token }, META);
    for (let i = 0; i < 1200; i++)
      await store.insertEvent({
        type: "sign_in_failed",
        at: clock.now(),
        userId: null,
        familyId: null,
        ip: null,
        userAgent: null,
        detail: "{}",
      });
    clock.advance(RETENTION_S * 1000 + MINUTE);
    const counts = await pruneOnce(store, settings());
    expect(counts?.jtis).toBe(1);
    expect(counts?.events).toBeGreaterThanOrEqual(1200);
    expect(await store.recentEvents(10)).toEqual([]);
  });
});
