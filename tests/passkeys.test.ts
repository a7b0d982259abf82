/**
 * Passkeys in the core (lib/auth/passkeys.ts) with a software authenticator that answers like a
 * browser (tests/webauthn-authenticator.ts): registration and sign-in, and every rule with a
 * response forged to break it. On the engine under test.
 */
import { describe, expect, it } from "vitest";
import { decodePayload } from "./forge";
import { META, MINUTE, SECOND, makeAuth } from "./helpers";
import { createSoftAuthenticator, type SoftAuthenticator } from "./webauthn-authenticator";

const ORIGIN = "http://localhost:3000";
const EMAIL = "pia@example.com";
const PASSWORD = "correct horse battery";

type Ctx = Awaited<ReturnType<typeof makeAuth>>;

async function withUser(ctx?: Ctx, email = EMAIL) {
  const c = ctx ?? (await makeAuth());
  const reg = await c.auth.register({ email, password: PASSWORD }, META);
  if (!reg.ok || !("access" in reg)) throw new Error("register failed");
  return { ...c, session: reg };
}

/** Registers a passkey for the signed-in user through the core, as the routes do. */
async function addPasskey(ctx: Awaited<ReturnType<typeof withUser>>, authenticator: SoftAuthenticator, name?: string) {
  const options = await ctx.auth.passkeyRegistrationOptions(ctx.session.access.claims);
  if (!options.ok) throw new Error(options.error);
  const credential = await authenticator.register(options.options);
  const registered = await ctx.auth.registerPasskey(
    ctx.session.access.claims,
    { credential, name },
    options.challengeToken,
    META,
  );
  if (!registered.ok) throw new Error(registered.error);
  return registered.passkey;
}

/** A fresh sign-in ceremony: the options and what the browser would hold in its cookie. */
const signInCeremony = (ctx: Ctx) => ctx.auth.passkeySignInOptions();

describe("registration", () => {
  it("options: attestation none, resident key and user verification required, ES256 offered, a random user handle", async () => {
    const ctx = await withUser();
    const first = await ctx.auth.passkeyRegistrationOptions(ctx.session.access.claims);
    if (!first.ok) throw new Error(first.error);
    expect(first.options).toMatchObject({
      attestation: "none",
      rp: { id: "localhost", name: "Test App" },
      authenticatorSelection: { residentKey: "required", userVerification: "required" },
      excludeCredentials: [],
    });
    expect(first.options.pubKeyCredParams.map((p) => p.alg)).toContain(-7);
    // The user handle is random bytes, not the email, and the same for every passkey of the user.
    expect(Buffer.from(first.options.user.id, "base64url").toString()).not.toContain("pia");
    expect(Buffer.from(first.options.user.id, "base64url")).toHaveLength(32);
    const again = await ctx.auth.passkeyRegistrationOptions(ctx.session.access.claims);
    expect(again.ok && again.options.user.id).toBe(first.options.user.id);
    expect(again.ok && again.options.challenge).not.toBe(first.options.challenge);
  });

  it("a passkey is stored with its backup flags, listed without its key, and excluded next time", async () => {
    const ctx = await withUser();
    const authenticator = createSoftAuthenticator({ rpId: "localhost", origin: ORIGIN });
    const passkey = await addPasskey(ctx, authenticator, "Laptop");
    expect(passkey).toMatchObject({ name: "Laptop", backedUp: true, deviceType: "multiDevice", lastUsedAt: null });
    expect(await ctx.auth.listPasskeys(ctx.session.user.id)).toEqual([passkey]);
    const next = await ctx.auth.passkeyRegistrationOptions(ctx.session.access.claims);
    expect(next.ok && next.options.excludeCredentials?.map((c) => c.id)).toEqual([passkey.id]);
    const events = await ctx.store.userEvents(ctx.session.user.id, 5);
    expect(events.map((e) => e.type)).toContain("passkey_added");
  });

  it("refused: wrong origin, wrong RP ID hash, UV not performed, a replayed or another browser's challenge", async () => {
    const ctx = await withUser();
    const authenticator = createSoftAuthenticator({ rpId: "localhost", origin: ORIGIN });
    const claims = ctx.session.access.claims;
    for (const forge of [
      { origin: "https://evil.example" },
      { rpIdHashOf: "evil.example" },
      { userVerified: false },
      { type: "webauthn.get" },
    ]) {
      const options = await ctx.auth.passkeyRegistrationOptions(claims);
      if (!options.ok) throw new Error();
      const credential = await authenticator.register(options.options, forge);
      expect(
        await ctx.auth.registerPasskey(claims, { credential }, options.challengeToken, META),
        JSON.stringify(forge),
      ).toEqual({
        ok: false,
        error: "invalid_passkey",
      });
    }
    // A challenge is used once: the same response again (even a good one) is refused.
    const options = await ctx.auth.passkeyRegistrationOptions(claims);
    if (!options.ok) throw new Error();
    const credential = await authenticator.register(options.options);
    expect((await ctx.auth.registerPasskey(claims, { credential }, options.challengeToken, META)).ok).toBe(true);
    expect(await ctx.auth.registerPasskey(claims, { credential }, options.challengeToken, META)).toEqual({
      ok: false,
      error: "invalid_passkey",
    });
    // No cookie, or another browser's: refused.
    expect(await ctx.auth.registerPasskey(claims, { credential }, undefined, META)).toEqual({
      ok: false,
      error: "invalid_passkey",
    });
    const other = await withUser(undefined, "other@example.com");
    const theirs = await other.auth.passkeyRegistrationOptions(other.session.access.claims);
    if (!theirs.ok) throw new Error();
    expect(await ctx.auth.registerPasskey(claims, { credential }, theirs.challengeToken, META)).toEqual({
      ok: false,
      error: "invalid_passkey",
    });
    expect(await ctx.auth.listPasskeys(ctx.session.user.id)).toHaveLength(1);
  });

  it("needs a recent sign-in (step-up), on both sides of STEP_UP_MAX_AGE", async () => {
    const ctx = await withUser();
    ctx.clock.advance(10 * MINUTE);
    expect((await ctx.auth.passkeyRegistrationOptions(ctx.session.access.claims)).ok).toBe(true);
    ctx.clock.advance(SECOND);
    expect(await ctx.auth.passkeyRegistrationOptions(ctx.session.access.claims)).toEqual({
      ok: false,
      error: "reauthentication_required",
    });
  });

  it("an expired challenge (five minutes) is refused", async () => {
    const ctx = await withUser();
    const authenticator = createSoftAuthenticator({ rpId: "localhost", origin: ORIGIN });
    const options = await ctx.auth.passkeyRegistrationOptions(ctx.session.access.claims);
    if (!options.ok) throw new Error();
    const credential = await authenticator.register(options.options);
    ctx.clock.advance(5 * MINUTE + SECOND);
    // Still recent enough for step-up (10 minutes), but the challenge is dead.
    expect(
      await ctx.auth.registerPasskey(ctx.session.access.claims, { credential }, options.challengeToken, META),
    ).toEqual({ ok: false, error: "invalid_passkey" });
  });
});

describe("sign-in", () => {
  async function registered() {
    const ctx = await withUser();
    const authenticator = createSoftAuthenticator({ rpId: "localhost", origin: ORIGIN });
    const passkey = await addPasskey(ctx, authenticator);
    return { ...ctx, authenticator, passkey };
  }

  it("a discoverable passkey signs in without an email: a new family whose tokens say hwk + user (two factors)", async () => {
    const ctx = await registered();
    const ceremony = await signInCeremony(ctx);
    expect(ceremony.options).toMatchObject({ userVerification: "required", rpId: "localhost" });
    expect(ceremony.options.allowCredentials ?? []).toEqual([]);
    const credential = await ctx.authenticator.authenticate(ceremony.options);
    const signedIn = await ctx.auth.signInWithPasskey(credential, ceremony.challengeToken, META);
    if (!signedIn.ok) throw new Error(signedIn.error);
    expect(signedIn.user.email).toBe(EMAIL);
    expect(signedIn.access.claims.sid).not.toBe(ctx.session.access.claims.sid);
    expect(decodePayload(signedIn.access.token)).toMatchObject({ amr: ["hwk", "user", "mfa"] });
    expect((await ctx.auth.listPasskeys(ctx.session.user.id))[0].lastUsedAt).toBe(ctx.clock.now());
  });

  it("every forged assertion is the same refusal, and starts nothing", async () => {
    const ctx = await registered();
    const stranger = createSoftAuthenticator({ rpId: "localhost", origin: ORIGIN });
    const otherUser = await withUser(undefined, "mallory@example.com");
    await addPasskey(otherUser, stranger);
    const forgeries: [string, Parameters<SoftAuthenticator["authenticate"]>[1]][] = [
      ["wrong origin", { origin: "https://evil.example" }],
      ["wrong RP ID hash", { rpIdHashOf: "evil.example" }],
      ["UV bit cleared", { userVerified: false }],
      ["bad signature", { badSignature: true }],
      ["another authenticator's key", { signWithCredentialOf: stranger }],
      ["another user's handle", { userHandle: stranger.credentials()[0].userHandle }],
      ["no handle", { userHandle: null }],
      ["clientData type create", { type: "webauthn.create" }],
    ];
    for (const [label, forge] of forgeries) {
      const ceremony = await signInCeremony(ctx);
      const credential = await ctx.authenticator.authenticate(ceremony.options, forge);
      expect(await ctx.auth.signInWithPasskey(credential, ceremony.challengeToken, META), label).toEqual({
        ok: false,
        error: "invalid_passkey",
      });
    }
    // Another user's credential id with this authenticator's signature.
    const ceremony = await signInCeremony(ctx);
    const theirs = await stranger.authenticate(ceremony.options);
    const mine = await ctx.authenticator.authenticate(ceremony.options);
    const mixed = { ...mine, id: theirs.id, rawId: theirs.rawId };
    expect(await ctx.auth.signInWithPasskey(mixed, ceremony.challengeToken, META)).toEqual({
      ok: false,
      error: "invalid_passkey",
    });
    const signIns = (await ctx.store.recentEvents(100)).filter((e) => e.type === "sign_in");
    expect(signIns).toEqual([]);
  });

  it("a challenge works once, only in the browser that asked, and only for five minutes", async () => {
    const ctx = await registered();
    const ceremony = await signInCeremony(ctx);
    const credential = await ctx.authenticator.authenticate(ceremony.options);
    expect((await ctx.auth.signInWithPasskey(credential, ceremony.challengeToken, META)).ok).toBe(true);
    expect(await ctx.auth.signInWithPasskey(credential, ceremony.challengeToken, META)).toEqual({
      ok: false,
      error: "invalid_passkey",
    });
    const other = await signInCeremony(ctx);
    const forOther = await ctx.authenticator.authenticate(other.options);
    expect(await ctx.auth.signInWithPasskey(forOther, undefined, META)).toEqual({
      ok: false,
      error: "invalid_passkey",
    });
    const late = await signInCeremony(ctx);
    const lateCredential = await ctx.authenticator.authenticate(late.options);
    ctx.clock.advance(5 * MINUTE + SECOND);
    expect(await ctx.auth.signInWithPasskey(lateCredential, late.challengeToken, META)).toEqual({
      ok: false,
      error: "invalid_passkey",
    });
  });

  it("counters: one that stays 0 is fine (synced passkeys); one that goes back is refused", async () => {
    const ctx = await registered();
    for (let i = 0; i < 2; i++) {
      const ceremony = await signInCeremony(ctx);
      expect(
        (
          await ctx.auth.signInWithPasskey(
            await ctx.authenticator.authenticate(ceremony.options),
            ceremony.challengeToken,
            META,
          )
        ).ok,
      ).toBe(true);
    }
    const counting = await withUser(undefined, "counter@example.com");
    const key = createSoftAuthenticator({ rpId: "localhost", origin: ORIGIN, signCountStart: 10 });
    await addPasskey(counting, key);
    const ok = await signInCeremony(counting);
    expect(
      (await counting.auth.signInWithPasskey(await key.authenticate(ok.options), ok.challengeToken, META)).ok,
    ).toBe(true);
    const back = await signInCeremony(counting);
    const replay = await key.authenticate(back.options, { signCount: 10 });
    expect(await counting.auth.signInWithPasskey(replay, back.challengeToken, META)).toEqual({
      ok: false,
      error: "invalid_passkey",
    });
  });

  it("a removed passkey signs in no more; removing needs step-up and the owner", async () => {
    const ctx = await registered();
    const other = await withUser(undefined, "eve@example.com");
    expect(await other.auth.removePasskey(other.session.access.claims, ctx.passkey.id, META)).toEqual({
      ok: false,
      error: "not_found",
    });
    ctx.clock.advance(11 * MINUTE);
    expect(await ctx.auth.removePasskey(ctx.session.access.claims, ctx.passkey.id, META)).toEqual({
      ok: false,
      error: "reauthentication_required",
    });
    const fresh = await ctx.auth.login({ email: EMAIL, password: PASSWORD }, META);
    if (!fresh.ok) throw new Error();
    expect((await ctx.auth.removePasskey(fresh.access.claims, ctx.passkey.id, META)).ok).toBe(true);
    const ceremony = await signInCeremony(ctx);
    const credential = await ctx.authenticator.authenticate(ceremony.options);
    expect(await ctx.auth.signInWithPasskey(credential, ceremony.challengeToken, META)).toEqual({
      ok: false,
      error: "invalid_passkey",
    });
  });
});
