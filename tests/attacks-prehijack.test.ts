/**
 * Account pre-hijacking through the verification link, and mail bombing through registration
 * (issue 16, findings 1 and 2). The rule: nobody gets an address verified on an account whose
 * password they did not choose themselves, and nobody's registration is silently thrown away.
 * A verification link proves the mailbox; the password proves who completes it.
 */
import { describe, expect, it } from "vitest";
import { META, makeAuth } from "./helpers";

const VICTIM = "victim@example.com";
const VICTIM_PASSWORD = "victim's own password";
const SQUATTER_PASSWORD = "squatter's password";
const SQUATTER_META = { ip: "198.51.100.66", userAgent: "squatter" };

type Ctx = Awaited<ReturnType<typeof makeAuth>>;

/** Every verification link the victim's mailbox holds, oldest first. */
async function linksInMailbox(ctx: Ctx): Promise<string[]> {
  return (await ctx.mailer.sent())
    .filter((m) => m.to === VICTIM && m.kind === "email_verification")
    .map((m) => /#token=([A-Za-z0-9_-]+)/.exec(m.text)![1]);
}

/** Registers with the manual clock a millisecond on, so links are mailed in registration order. */
function register(ctx: Ctx, input: { email: string; password: string; name?: string }, meta = META) {
  ctx.clock.advance(1);
  return ctx.auth.register(input, meta);
}

const click = (ctx: Ctx, token: string, password?: string) =>
  ctx.auth.verifyEmail({ token, password, sessionUserId: null }, META);

const signIn = (ctx: Ctx, password: string) => ctx.auth.login({ email: VICTIM, password }, META);

describe("EMAIL_VERIFICATION=required", () => {
  const required = () => makeAuth({ emailVerification: "required" });

  it("squatter first: the victim's registration is kept, and its link makes the victim's password the only one", async () => {
    const ctx = await required();
    await register(ctx, { email: VICTIM, password: SQUATTER_PASSWORD, name: "Squatter" }, SQUATTER_META);
    await register(ctx, { email: VICTIM, password: VICTIM_PASSWORD, name: "Victim" }, META);
    const [, victims] = await linksInMailbox(ctx);
    const done = await click(ctx, victims, VICTIM_PASSWORD);
    expect(done.ok && done.session?.user).toMatchObject({ email: VICTIM, name: "Victim", emailVerified: true });
    expect(await signIn(ctx, SQUATTER_PASSWORD)).toEqual({ ok: false, error: "invalid_credentials" });
    expect((await signIn(ctx, VICTIM_PASSWORD)).ok).toBe(true);
  });

  it("squatter first: the link the victim never asked for does not take the victim's password, and verifies nothing", async () => {
    const ctx = await required();
    await register(ctx, { email: VICTIM, password: SQUATTER_PASSWORD }, SQUATTER_META);
    const [squatters] = await linksInMailbox(ctx);
    expect(await click(ctx, squatters)).toEqual({ ok: false, error: "password_required" });
    expect(await click(ctx, squatters, VICTIM_PASSWORD)).toEqual({ ok: false, error: "wrong_password" });
    const user = await ctx.store.userByEmail(VICTIM);
    expect(user?.emailVerifiedAt).toBeNull();
    // The squatter, who knows the password but not the link, still cannot get in.
    expect(await signIn(ctx, SQUATTER_PASSWORD)).toEqual({ ok: false, error: "email_unverified" });
    // A refused click spends nothing: the victim registers and completes their own link.
    await register(ctx, { email: VICTIM, password: VICTIM_PASSWORD }, META);
    const [, victims] = await linksInMailbox(ctx);
    expect((await click(ctx, victims, VICTIM_PASSWORD)).ok).toBe(true);
    expect(await click(ctx, squatters, SQUATTER_PASSWORD)).toEqual({ ok: false, error: "invalid_token" });
    expect(await signIn(ctx, SQUATTER_PASSWORD)).toEqual({ ok: false, error: "invalid_credentials" });
  });

  it("victim first: a squatter's later registration kills nothing, and dies when the victim's link is used", async () => {
    const ctx = await required();
    await register(ctx, { email: VICTIM, password: VICTIM_PASSWORD }, META);
    await register(ctx, { email: VICTIM, password: SQUATTER_PASSWORD }, SQUATTER_META);
    const [victims, squatters] = await linksInMailbox(ctx);
    expect((await click(ctx, victims, VICTIM_PASSWORD)).ok).toBe(true);
    expect(await click(ctx, squatters, SQUATTER_PASSWORD)).toEqual({ ok: false, error: "invalid_token" });
    expect(await signIn(ctx, SQUATTER_PASSWORD)).toEqual({ ok: false, error: "invalid_credentials" });
    expect((await signIn(ctx, VICTIM_PASSWORD)).ok).toBe(true);
  });

  it("both links clicked by the victim, in either order: only their own completes, once", async () => {
    for (const order of ["victim's first", "squatter's first"] as const) {
      const ctx = await required();
      await register(ctx, { email: VICTIM, password: SQUATTER_PASSWORD }, SQUATTER_META);
      await register(ctx, { email: VICTIM, password: VICTIM_PASSWORD }, META);
      const [squatters, victims] = await linksInMailbox(ctx);
      if (order === "squatter's first") {
        expect(await click(ctx, squatters, VICTIM_PASSWORD)).toEqual({ ok: false, error: "wrong_password" });
        expect((await click(ctx, victims, VICTIM_PASSWORD)).ok).toBe(true);
      } else {
        expect((await click(ctx, victims, VICTIM_PASSWORD)).ok).toBe(true);
        expect(await click(ctx, squatters, VICTIM_PASSWORD)).toEqual({ ok: false, error: "invalid_token" });
      }
      expect(await signIn(ctx, SQUATTER_PASSWORD)).toEqual({ ok: false, error: "invalid_credentials" });
      expect((await signIn(ctx, VICTIM_PASSWORD)).ok).toBe(true);
    }
  });

  it("a registration's link used ends every session the account had and bumps its token version", async () => {
    // An account signed in (as when it was made while verification was optional), then a
    // registration's link for it.
    const ctx = await makeAuth({ emailVerification: "optional" });
    const first = await register(ctx, { email: VICTIM, password: SQUATTER_PASSWORD }, SQUATTER_META);
    if (!first.ok || !("access" in first)) throw new Error("register failed");
    const user = (await ctx.store.userByEmail(VICTIM))!;
    ctx.clock.advance(1);
    await ctx.auth.sendVerification(user.id, META, { passwordHash: user.passwordHash, name: null });
    const token = (await linksInMailbox(ctx)).at(-1)!;
    expect((await click(ctx, token, SQUATTER_PASSWORD)).ok).toBe(true);
    expect((await ctx.auth.authenticate(first.access.token)).ok).toBe(false);
    expect((await ctx.auth.refresh(first.refresh.token, META)).ok).toBe(false);
  });
});

describe("EMAIL_VERIFICATION=optional", () => {
  it("a squatter signed in at once: the victim's click verifies nothing without the squatter's password", async () => {
    const ctx = await makeAuth({ emailVerification: "optional" });
    const squatter = await register(ctx, { email: VICTIM, password: SQUATTER_PASSWORD }, SQUATTER_META);
    if (!squatter.ok || !("access" in squatter)) throw new Error("register failed");
    const [link] = await linksInMailbox(ctx);
    // The victim's browser: no session of that account.
    expect(await click(ctx, link)).toEqual({ ok: false, error: "password_required" });
    expect(await click(ctx, link, VICTIM_PASSWORD)).toEqual({ ok: false, error: "wrong_password" });
    // Signed in to another account of their own: no proof either.
    const own = await register(ctx, { email: "own@example.com", password: VICTIM_PASSWORD }, META);
    if (!own.ok || !("access" in own)) throw new Error("register failed");
    expect(await ctx.auth.verifyEmail({ token: link, sessionUserId: own.user.id }, META)).toEqual({
      ok: false,
      error: "password_required",
    });
    expect((await ctx.store.userByEmail(VICTIM))?.emailVerifiedAt).toBeNull();
    const check = await ctx.auth.authenticate(squatter.access.token);
    expect(check.ok && check.user.emailVerified).toBe(false);
  });

  it("the victim takes the address back with a password reset: verified, the squatter's sessions end", async () => {
    const ctx = await makeAuth({ emailVerification: "optional" });
    const squatter = await register(ctx, { email: VICTIM, password: SQUATTER_PASSWORD }, SQUATTER_META);
    if (!squatter.ok || !("access" in squatter)) throw new Error("register failed");
    const [link] = await linksInMailbox(ctx);
    await ctx.auth.requestPasswordReset(VICTIM, META);
    const reset = (await ctx.mailer.tokenFor(VICTIM, "password_reset"))!;
    expect((await ctx.auth.resetPassword(reset, VICTIM_PASSWORD, META)).ok).toBe(true);
    expect((await ctx.store.userByEmail(VICTIM))?.emailVerifiedAt).not.toBeNull();
    expect((await ctx.auth.authenticate(squatter.access.token)).ok).toBe(false);
    expect((await ctx.auth.refresh(squatter.refresh.token, META)).ok).toBe(false);
    // The squatter's pending verification link died with the reset.
    expect(await click(ctx, link, SQUATTER_PASSWORD)).toEqual({ ok: false, error: "invalid_token" });
  });

  it("the owner's own browser, signed in, completes the link without typing anything", async () => {
    const ctx = await makeAuth({ emailVerification: "optional" });
    const owner = await register(ctx, { email: VICTIM, password: VICTIM_PASSWORD }, META);
    if (!owner.ok || !("access" in owner)) throw new Error("register failed");
    const [link] = await linksInMailbox(ctx);
    expect(await ctx.auth.verifyEmail({ token: link, sessionUserId: owner.user.id }, META)).toEqual({
      ok: true,
      session: null,
    });
    const events = await ctx.store.userEvents(owner.user.id, 10);
    expect(JSON.parse(events.find((e) => e.type === "email_verified")!.detail)).toEqual({ proof: "session" });
  });
});

describe("mail bombing: every mail a request causes obeys the address's budget, silently", () => {
  it("30 registrations for a confirmed address mail its owner 5 notices; every answer is the same", async () => {
    const ctx = await makeAuth({ emailVerification: "required" });
    await register(ctx, { email: VICTIM, password: VICTIM_PASSWORD }, META);
    const [link] = await linksInMailbox(ctx);
    await click(ctx, link, VICTIM_PASSWORD);
    const answers = [];
    for (let i = 0; i < 30; i++) {
      const meta = { ip: `198.51.100.${i % 3}`, userAgent: "bomber" };
      answers.push(await register(ctx, { email: VICTIM, password: `attempt ${i} password` }, meta));
    }
    expect(new Set(answers.map((a) => JSON.stringify(a)))).toEqual(
      new Set([JSON.stringify({ ok: true, verificationRequired: true })]),
    );
    const sent = (await ctx.mailer.sent()).filter((m) => m.to === VICTIM);
    // One verification link, then notices up to the hourly budget of 5 mails in all.
    expect(sent.map((m) => m.kind)).toEqual(["email_verification", ...Array(4).fill("account_exists")]);
    const suppressed = (await ctx.store.recentEvents(100)).filter((e) => e.type === "mail_suppressed");
    expect(suppressed).toHaveLength(26);
    expect(JSON.stringify(await ctx.store.recentEvents(100))).not.toContain(VICTIM);
  });

  it("registrations for an unconfirmed address: at most the budget of links, and the owner's own link keeps working", async () => {
    const ctx = await makeAuth({ emailVerification: "required" });
    await register(ctx, { email: VICTIM, password: VICTIM_PASSWORD }, META);
    for (let i = 0; i < 30; i++) await register(ctx, { email: VICTIM, password: `bomb ${i} password` });
    const links = await linksInMailbox(ctx);
    expect(links).toHaveLength(5);
    expect((await click(ctx, links[0], VICTIM_PASSWORD)).ok).toBe(true);
  });

  it("the budget is one count across parallel requests, and an hour later it is there again", async () => {
    const ctx = await makeAuth({ emailVerification: "required" });
    await register(ctx, { email: VICTIM, password: VICTIM_PASSWORD }, META);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => register(ctx, { email: VICTIM, password: `racing ${i} password` })),
    );
    expect(await linksInMailbox(ctx)).toHaveLength(5);
    ctx.clock.advance(3600 * 1000 + 1);
    await ctx.auth.requestPasswordReset(VICTIM, META);
    expect(await ctx.mailer.tokenFor(VICTIM, "password_reset")).toBeDefined();
  });

  it("forgot-password over the budget mails nothing and keeps the last link working; a change notice always goes", async () => {
    const ctx = await makeAuth({ emailVerification: "optional" });
    const owner = await register(ctx, { email: VICTIM, password: VICTIM_PASSWORD }, META);
    if (!owner.ok || !("access" in owner)) throw new Error("register failed");
    for (let i = 0; i < 10; i++) {
      ctx.clock.advance(1);
      await ctx.auth.requestPasswordReset(VICTIM, META);
    }
    const sent = await ctx.mailer.sent();
    expect(sent.filter((m) => m.kind === "password_reset")).toHaveLength(4); // 1 verification + 4 resets
    const last = (await ctx.mailer.tokenFor(VICTIM, "password_reset"))!;
    const changed = await ctx.auth.changePassword(
      owner.access.claims,
      { currentPassword: VICTIM_PASSWORD, newPassword: "a changed password" },
      META,
    );
    expect(changed.ok).toBe(true);
    expect((await ctx.mailer.sent()).at(-1)?.kind).toBe("password_changed");
    expect((await ctx.auth.resetPassword(last, "reset after all that", META)).ok).toBe(true);
  });
});
