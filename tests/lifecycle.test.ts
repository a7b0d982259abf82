import { describe, expect, it } from "vitest";
import { DAY, META, MINUTE, SECOND, makeAuth } from "./helpers";

async function signedIn(overrides = {}) {
  const ctx = await makeAuth(overrides);
  const reg = await ctx.auth.register({ email: "Alice@Example.com ", password: "correct horse battery" }, META);
  if (!("access" in reg)) throw new Error("register failed");
  return { ...ctx, session: reg };
}

async function events(store: Awaited<ReturnType<typeof makeAuth>>["store"], userId: string) {
  return (await store.userEvents(userId, 100)).map((e) => e.type);
}

describe("registration and sign-in", () => {
  it("normalises the email and refuses a second account with the same address", async () => {
    const { auth, session } = await signedIn();
    expect(session.user.email).toBe("alice@example.com");
    const again = await auth.register({ email: "ALICE@example.com", password: "another password" }, META);
    expect(again).toEqual({ ok: false, error: "email_taken" });
  });

  it("gives the same answer for an unknown email and a wrong password, and logs both failures", async () => {
    const { auth, store, session } = await signedIn();
    const unknown = await auth.login({ email: "nobody@example.com", password: "whatever123" }, META);
    const wrong = await auth.login({ email: "alice@example.com", password: "wrong password" }, META);
    expect(unknown).toEqual(wrong);
    expect(wrong).toEqual({ ok: false, error: "invalid_credentials" });
    expect(await events(store, session.user.id)).toContain("sign_in_failed");
  });

  it("starts a new family on every sign-in", async () => {
    const { auth, session } = await signedIn();
    const second = await auth.login({ email: "alice@example.com", password: "correct horse battery" }, META);
    if (!("access" in second)) throw new Error("login failed");
    expect(second.access.claims.sid).not.toBe(session.access.claims.sid);
    expect(await auth.listDevices(session.user.id, session.access.claims.sid)).toHaveLength(2);
  });

  it("issues an access token whose lifetime is exactly ACCESS_TOKEN_TTL", async () => {
    const { session } = await signedIn({ accessTokenTtl: 123 });
    expect(session.access.claims.exp - session.access.claims.iat).toBe(123);
  });
});

describe("refresh rotation", () => {
  it("rotates on every use: a new refresh token each time, same family", async () => {
    const { auth, clock, session } = await signedIn();
    clock.advance(MINUTE);
    const r1 = await auth.refresh(session.refresh.token, META);
    if (!r1.ok || !r1.refresh) throw new Error("refresh failed");
    expect(r1.refresh.token).not.toBe(session.refresh.token);
    expect(r1.access.claims.sid).toBe(session.access.claims.sid);
    clock.advance(MINUTE);
    const r2 = await auth.refresh(r1.refresh.token, META);
    expect(r2.ok && r2.refresh?.token).toBeTruthy();
  });

  it("within the grace window, a rotated token gets an access token but no second refresh token", async () => {
    const { auth, clock, session } = await signedIn();
    const first = await auth.refresh(session.refresh.token, META);
    clock.advance(9 * SECOND);
    const second = await auth.refresh(session.refresh.token, META);
    expect(second.ok).toBe(true);
    if (!second.ok) return;
    expect(second.refresh).toBeNull();
    expect(second.access.claims.sid).toBe(session.access.claims.sid);
    // The family did not fork and is still alive: the first tab's new token still works.
    if (!first.ok || !first.refresh) throw new Error();
    expect((await auth.refresh(first.refresh.token, META)).ok).toBe(true);
  });

  it("after the grace window, reuse of a token whose successor was used revokes the whole family and records refresh_reuse_detected", async () => {
    const { auth, clock, store, session, securityEvents } = await signedIn();
    const first = await auth.refresh(session.refresh.token, META);
    if (!first.ok || !first.refresh) throw new Error();
    clock.advance(MINUTE);
    const second = await auth.refresh(first.refresh.token, META);
    if (!second.ok || !second.refresh) throw new Error();
    clock.advance(11 * SECOND);
    const replay = await auth.refresh(session.refresh.token, META);
    expect(replay).toEqual({ ok: false, error: "reuse_detected" });
    // The legitimate holder's newer token is dead too, and so is the access token of the family.
    // The family was ended for reuse: its other tokens are refused with that reason, so the holder learns why.
    expect(await auth.refresh(second.refresh.token, META)).toEqual({ ok: false, error: "reuse_detected" });
    expect((await auth.authenticate(second.access.token)).ok).toBe(false);
    expect(await events(store, session.user.id)).toContain("refresh_reuse_detected");
    expect(securityEvents).toContain("refresh_reuse_detected");
  });

  it("with REFRESH_REUSE_GRACE=0 there is no grace: a rotated token whose successor was used is theft at once", async () => {
    const { auth, session } = await signedIn({ refreshReuseGrace: 0 });
    const first = await auth.refresh(session.refresh.token, META);
    if (!first.ok || !first.refresh) throw new Error();
    expect((await auth.refresh(first.refresh.token, META)).ok).toBe(true);
    expect(await auth.refresh(session.refresh.token, META)).toEqual({ ok: false, error: "reuse_detected" });
  });

  describe("a lost answer is not a theft", () => {
    it("the parent of a never-used successor, presented past the grace window, gets a fresh successor in its place", async () => {
      const { auth, clock, store, session, securityEvents } = await signedIn();
      const lost = await auth.refresh(session.refresh.token, META); // committed, but the answer never arrived
      if (!lost.ok || !lost.refresh) throw new Error();
      clock.advance(MINUTE);
      const retry = await auth.refresh(session.refresh.token, META);
      if (!retry.ok || !retry.refresh) throw new Error("the session should survive");
      expect(retry.refresh.token).not.toBe(lost.refresh.token);
      expect(retry.access.claims.sid).toBe(session.access.claims.sid);
      expect(await events(store, session.user.id)).toContain("refresh_recovered");
      expect(securityEvents).not.toContain("refresh_reuse_detected");
      clock.advance(MINUTE);
      const next = await auth.refresh(retry.refresh.token, META);
      expect(next.ok && next.refresh).toBeTruthy();
    });

    it("the replaced successor is dead: whoever presents it later is treated as a thief and the family ends", async () => {
      const { auth, clock, store, session } = await signedIn();
      const victim = await auth.refresh(session.refresh.token, META);
      if (!victim.ok || !victim.refresh) throw new Error();
      clock.advance(MINUTE);
      // A thief replays the stolen parent while the victim has not used its successor yet.
      const thief = await auth.refresh(session.refresh.token, META);
      if (!thief.ok || !thief.refresh) throw new Error();
      clock.advance(MINUTE);
      expect(await auth.refresh(victim.refresh.token, META)).toEqual({ ok: false, error: "reuse_detected" });
      expect((await auth.refresh(thief.refresh.token, META)).ok).toBe(false);
      expect((await auth.authenticate(thief.access.token)).ok).toBe(false);
      expect(await events(store, session.user.id)).toContain("refresh_reuse_detected");
    });

    it("a recovered successor that was used makes the parent theft again", async () => {
      const { auth, clock, session } = await signedIn();
      await auth.refresh(session.refresh.token, META);
      clock.advance(MINUTE);
      const retry = await auth.refresh(session.refresh.token, META);
      if (!retry.ok || !retry.refresh) throw new Error();
      clock.advance(MINUTE);
      expect((await auth.refresh(retry.refresh.token, META)).ok).toBe(true);
      clock.advance(MINUTE);
      expect(await auth.refresh(session.refresh.token, META)).toEqual({ ok: false, error: "reuse_detected" });
    });

    it("two retries of the lost parent at once: one fresh successor, the other gets the grace answer", async () => {
      const { auth, clock, session } = await signedIn();
      await auth.refresh(session.refresh.token, META);
      clock.advance(MINUTE);
      const results = await Promise.all([
        auth.refresh(session.refresh.token, META),
        auth.refresh(session.refresh.token, META),
      ]);
      expect(results.every((r) => r.ok)).toBe(true);
      expect(results.filter((r) => r.ok && r.refresh)).toHaveLength(1);
    });

    it("a token superseded by a password change stays theft past the grace window", async () => {
      const { auth, clock, session } = await signedIn();
      const changed = await auth.changePassword(
        session.access.claims,
        { currentPassword: "correct horse battery", newPassword: "new password 1" },
        META,
      );
      if (!changed.ok) throw new Error();
      clock.advance(MINUTE);
      expect(await auth.refresh(session.refresh.token, META)).toEqual({ ok: false, error: "reuse_detected" });
    });

    it("a rotation, then a password change: the token the rotation consumed is a racing tab in the grace window, theft after it", async () => {
      for (const wait of [1_000, MINUTE]) {
        const { auth, clock, session } = await signedIn();
        const rotated = await auth.refresh(session.refresh.token, META);
        if (!rotated.ok || !rotated.refresh) throw new Error();
        const changed = await auth.changePassword(
          rotated.access.claims,
          { currentPassword: "correct horse battery", newPassword: "new password 1" },
          META,
        );
        if (!changed.ok) throw new Error();
        clock.advance(wait);
        const late = await auth.refresh(session.refresh.token, META);
        if (wait < MINUTE) expect(late.ok && late.refresh === null).toBe(true);
        else expect(late).toEqual({ ok: false, error: "reuse_detected" });
      }
    });
  });

  it("concurrent refreshes of one token mint at most one successor and none is logged out", async () => {
    const { auth, db, session } = await signedIn();
    const results = await Promise.all(Array.from({ length: 10 }, () => auth.refresh(session.refresh.token, META)));
    expect(results.every((r) => r.ok)).toBe(true);
    const successors = results.filter((r) => r.ok && r.refresh);
    expect(successors).toHaveLength(1);
    const [family] = await db.rows("refresh_families", {
      columns: ["generation", "previous_generation"],
      where: { id: session.access.claims.sid },
    });
    expect(family).toEqual({ generation: 1, previous_generation: 0 });
  });

  it("refuses unknown and malformed tokens without touching anything", async () => {
    const { auth } = await signedIn();
    expect(await auth.refresh("not-a-token", META)).toEqual({ ok: false, error: "malformed" });
    expect(await auth.refresh("A".repeat(43), META)).toEqual({ ok: false, error: "unknown" });
  });

  it("refuses an access token presented as a refresh token (typ confusion)", async () => {
    const { auth, session } = await signedIn();
    expect(await auth.refresh(session.access.token, META)).toEqual({ ok: false, error: "malformed" });
  });
});

describe("family lifetimes", () => {
  it("dies after REFRESH_TOKEN_TTL without use (idle)", async () => {
    const { auth, clock, session } = await signedIn({ refreshTokenTtl: 3600 });
    clock.advance(3600 * SECOND);
    expect(await auth.refresh(session.refresh.token, META)).toEqual({ ok: false, error: "expired" });
  });

  it("stays alive while used within the idle lifetime", async () => {
    const { auth, clock, session } = await signedIn({ refreshTokenTtl: 3600 });
    let token = session.refresh.token;
    for (let i = 0; i < 5; i++) {
      clock.advance(3000 * SECOND);
      const r = await auth.refresh(token, META);
      if (!r.ok || !r.refresh) throw new Error(`refresh ${i} failed`);
      token = r.refresh.token;
    }
  });

  it("dies at SESSION_MAX_AGE whatever the rotations (absolute)", async () => {
    const { auth, clock, session } = await signedIn({ refreshTokenTtl: 2 * 86400, sessionMaxAge: 5 * 86400 });
    let token = session.refresh.token;
    for (let day = 1; day < 5; day++) {
      clock.advance(DAY);
      const r = await auth.refresh(token, META);
      if (!r.ok || !r.refresh) throw new Error(`day ${day} failed`);
      expect(r.refresh.maxAge).toBeLessThanOrEqual((5 - day) * 86400);
      token = r.refresh.token;
    }
    clock.advance(DAY);
    expect(await auth.refresh(token, META)).toEqual({ ok: false, error: "expired" });
  });

  it("never sets a refresh cookie lifetime past the family's absolute expiry", async () => {
    const { session } = await signedIn({ refreshTokenTtl: 10 * 86400, sessionMaxAge: 86400 });
    expect(session.refresh.maxAge).toBe(86400);
  });
});

describe("revocation", () => {
  it("logout revokes the family and deny-lists the access token by jti", async () => {
    const { auth, store, session } = await signedIn();
    expect((await auth.authenticate(session.access.token)).ok).toBe(true);
    await auth.logout({ access: session.access.token, refresh: session.refresh.token }, META);
    expect(await auth.authenticate(session.access.token)).toEqual({ ok: false, error: "token_revoked" });
    expect(await auth.refresh(session.refresh.token, META)).toEqual({ ok: false, error: "revoked" });
    expect(await events(store, session.user.id)).toContain("sign_out");
  });

  it("logout with only the refresh cookie (access expired) still ends the session", async () => {
    const { auth, clock, session } = await signedIn();
    clock.advance(20 * MINUTE);
    await auth.logout({ refresh: session.refresh.token }, META);
    expect(await auth.refresh(session.refresh.token, META)).toEqual({ ok: false, error: "revoked" });
  });

  it("sweeps expired deny-list entries", async () => {
    const { auth, clock, db, session } = await signedIn();
    await auth.logout({ access: session.access.token }, META);
    const count = () => db.count("revoked_jtis");
    expect(await count()).toBe(1);
    clock.advance(16 * MINUTE);
    const other = await auth.login({ email: "alice@example.com", password: "correct horse battery" }, META);
    if (!("access" in other)) throw new Error();
    await auth.logout({ access: other.access.token }, META);
    expect(await count()).toBe(1);
  });

  it("logout-all ends every session including the caller's", async () => {
    const { auth, session } = await signedIn();
    const other = await auth.login({ email: "alice@example.com", password: "correct horse battery" }, META);
    if (!("access" in other)) throw new Error();
    await auth.logoutEverywhere(session.access.claims, META);
    expect((await auth.authenticate(session.access.token)).ok).toBe(false);
    expect((await auth.authenticate(other.access.token)).ok).toBe(false);
    expect((await auth.refresh(other.refresh.token, META)).ok).toBe(false);
    expect((await auth.refresh(session.refresh.token, META)).ok).toBe(false);
    expect(await auth.listDevices(session.user.id, session.access.claims.sid)).toHaveLength(0);
  });

  it("password change ends other sessions and keeps this one with a re-issued access token", async () => {
    const { auth, clock, session } = await signedIn();
    const other = await auth.login({ email: "alice@example.com", password: "correct horse battery" }, META);
    if (!("access" in other)) throw new Error();
    const wrong = await auth.changePassword(
      session.access.claims,
      { currentPassword: "nope nope", newPassword: "new password 1" },
      META,
    );
    expect(wrong).toEqual({ ok: false, error: "wrong_password" });
    const changed = await auth.changePassword(
      session.access.claims,
      { currentPassword: "correct horse battery", newPassword: "new password 1" },
      META,
    );
    if (!changed.ok) throw new Error();
    expect(changed.sessionsEnded).toBe(1);
    expect((await auth.authenticate(changed.access.token)).ok).toBe(true);
    expect((await auth.authenticate(session.access.token)).ok).toBe(false);
    expect((await auth.authenticate(other.access.token)).ok).toBe(false);
    expect((await auth.refresh(other.refresh.token, META)).ok).toBe(false);
    clock.advance(MINUTE);
    const r = await auth.refresh(changed.refresh.token, META);
    expect(r.ok).toBe(true);
    if (r.ok) expect((await auth.authenticate(r.access.token)).ok).toBe(true);
    expect(await auth.login({ email: "alice@example.com", password: "correct horse battery" }, META)).toEqual({
      ok: false,
      error: "invalid_credentials",
    });
    expect("access" in (await auth.login({ email: "alice@example.com", password: "new password 1" }, META))).toBe(true);
  });

  it("password change issues this device a new refresh token: the old one, presented past the grace window, is reuse", async () => {
    const { auth, clock, store, session } = await signedIn();
    const changed = await auth.changePassword(
      session.access.claims,
      { currentPassword: "correct horse battery", newPassword: "new password 1" },
      META,
    );
    if (!changed.ok) throw new Error();
    expect(changed.refresh.token).not.toBe(session.refresh.token);
    expect(changed.refresh.maxAge).toBeGreaterThan(0);
    clock.advance(11 * SECOND);
    expect(await auth.refresh(session.refresh.token, META)).toEqual({ ok: false, error: "reuse_detected" });
    expect(await events(store, session.user.id)).toContain("refresh_reuse_detected");
    // A thief's stale copy ends the family, so the holder of the new token must sign in again.
    expect((await auth.refresh(changed.refresh.token, META)).ok).toBe(false);
  });

  it("password change: inside the grace window the old refresh token gets an access token only, and the grace use is recorded", async () => {
    const { auth, clock, store, session } = await signedIn();
    const changed = await auth.changePassword(
      session.access.claims,
      { currentPassword: "correct horse battery", newPassword: "new password 1" },
      META,
    );
    if (!changed.ok) throw new Error();
    clock.advance(2 * SECOND);
    const racing = await auth.refresh(session.refresh.token, META);
    expect(racing.ok && racing.refresh).toBe(null);
    expect(await events(store, session.user.id)).toContain("refresh_grace");
    expect((await auth.refresh(changed.refresh.token, META)).ok).toBe(true);
  });

  it("password change refuses a new password equal to the current one, and changes nothing", async () => {
    const { auth, session } = await signedIn();
    const same = await auth.changePassword(
      session.access.claims,
      { currentPassword: "correct horse battery", newPassword: "correct horse battery" },
      META,
    );
    expect(same).toEqual({ ok: false, error: "same_password" });
    expect((await auth.authenticate(session.access.token)).ok).toBe(true);
    expect((await auth.refresh(session.refresh.token, META)).ok).toBe(true);
  });

  it("ending one session leaves the others; another user's session id is not found", async () => {
    const { auth, session } = await signedIn();
    const other = await auth.login({ email: "alice@example.com", password: "correct horse battery" }, META);
    if (!("access" in other)) throw new Error();
    const bob = await auth.register({ email: "bob@example.com", password: "bob password" }, META);
    if (!("access" in bob)) throw new Error();
    expect(await auth.endSession(bob.user.id, other.access.claims.sid, META)).toEqual({
      ok: false,
      error: "not_found",
    });
    expect(await auth.endSession(session.user.id, other.access.claims.sid, META)).toEqual({ ok: true });
    expect((await auth.authenticate(other.access.token)).ok).toBe(false);
    expect((await auth.authenticate(session.access.token)).ok).toBe(true);
    expect((await auth.listDevices(session.user.id, session.access.claims.sid)).map((s) => s.id)).toEqual([
      session.access.claims.sid,
    ]);
  });

  it("an admin ending all sessions of a user invalidates their tokens", async () => {
    const { auth, session } = await signedIn();
    expect(await auth.endAllSessionsOf({ userId: session.user.id }, "admin-id", META)).toEqual({
      ok: true,
      ended: 1,
      user: { id: session.user.id, email: session.user.email },
    });
    expect((await auth.authenticate(session.access.token)).ok).toBe(false);
    expect((await auth.refresh(session.refresh.token, META)).ok).toBe(false);
  });
});
