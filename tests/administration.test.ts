/**
 * Operating accounts in the core (lib/auth/administration.ts, lib/auth/account-data.ts), on the
 * engine under test with an injected clock: making users (the first administrator), the list and
 * its search and pages, roles, disabling, the last administrator, and a person's own export and
 * deletion (nothing of the account left but the audit trail, without the address).
 */
import { describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/administration";
import { totpCode } from "@/lib/auth/totp";
import { META, MINUTE, makeAuth } from "./helpers";

type Ctx = Awaited<ReturnType<typeof makeAuth>>;
const CLI: Actor = { kind: "cli" };
const PASSWORD = "correct horse battery";

async function signedIn(ctx: Ctx, email: string, password = PASSWORD) {
  const session = await ctx.auth.login({ email, password }, META);
  if (!session.ok) throw new Error(`sign-in failed: ${session.error}`);
  return session;
}

async function withAdmin() {
  const ctx = await makeAuth();
  const made = await ctx.auth.addUser(
    { email: "Root@Example.com", name: "Root", role: "admin", password: PASSWORD },
    CLI,
  );
  if (!made.ok) throw new Error(made.error);
  const admin: Actor = { kind: "admin", userId: made.user.id };
  return { ...ctx, root: made.user, admin };
}

async function addUser(ctx: Ctx, email: string, extra: { name?: string; role?: "user" | "admin" } = {}) {
  const made = await ctx.auth.addUser(
    { email, name: extra.name ?? null, role: extra.role ?? "user", password: PASSWORD },
    CLI,
  );
  if (!made.ok) throw new Error(made.error);
  ctx.clock.advance(1); // distinct creation times: the list's order is plain
  return made.user;
}

describe("making users (the first administrator)", () => {
  it("adds an administrator who can sign in; the address normalised and counted as verified; audited as the cli", async () => {
    const ctx = await withAdmin();
    expect(ctx.root).toMatchObject({ email: "root@example.com", role: "admin", emailVerified: true, disabled: false });
    const session = await signedIn(ctx, "root@example.com");
    expect(session.user.role).toBe("admin");
    const [event] = (await ctx.store.userEvents(ctx.root.id, 10)).filter((e) => e.type === "user_created");
    expect(JSON.parse(event.detail)).toEqual({ by: "cli", role: "admin" });
  });

  it("without a password, one is generated, returned once, and works; never stored in clear", async () => {
    const ctx = await makeAuth();
    const made = await ctx.auth.addUser({ email: "gen@example.com", name: null, role: "user", password: null }, CLI);
    if (!made.ok) throw new Error(made.error);
    expect(made.generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    await signedIn(ctx, "gen@example.com", made.generatedPassword!);
    expect(await ctx.db.rowsContaining(made.generatedPassword!)).toEqual([]);
    expect(JSON.stringify(made.user)).not.toMatch(/argon2/);
  });

  it("a taken address and a too-short password are refused, nothing written", async () => {
    const ctx = await withAdmin();
    const taken = await ctx.auth.addUser(
      { email: "ROOT@example.com ", name: null, role: "user", password: PASSWORD },
      CLI,
    );
    expect(taken).toEqual({ ok: false, error: "email_taken" });
    const short = await ctx.auth.addUser(
      { email: "short@example.com", name: null, role: "user", password: "1234567" },
      CLI,
    );
    expect(short).toEqual({ ok: false, error: "invalid_password" });
    expect(await ctx.store.userCount()).toBe(1);
  });
});

describe("the user list", () => {
  it("searches email and name ignoring case; LIKE's wildcards are plain characters", async () => {
    const ctx = await withAdmin();
    await addUser(ctx, "ada@example.com", { name: "Ada Lovelace" });
    await addUser(ctx, "grace_hopper@example.com", { name: "Grace" });
    await addUser(ctx, "linus@example.com", { name: "Linus" });
    const emails = async (query: string) => (await ctx.auth.listUsers({ query })).users.map((u) => u.email).sort();
    expect(await emails("LOVELACE")).toEqual(["ada@example.com"]);
    expect(await emails("Ada@")).toEqual(["ada@example.com"]);
    expect(await emails("_")).toEqual(["grace_hopper@example.com"]);
    expect(await emails("%")).toEqual([]);
    expect((await ctx.auth.listUsers({})).users).toHaveLength(4);
  });

  it("pages newest first with a cursor: every user exactly once, ties on the creation time included", async () => {
    const ctx = await withAdmin();
    for (let i = 0; i < 23; i++) {
      await ctx.auth.addUser({ email: `u${i}@example.com`, name: null, role: "user", password: PASSWORD }, CLI);
      if (i % 5 === 0) ctx.clock.advance(1); // several users share each millisecond
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof ctx.auth.listUsers>> = await ctx.auth.listUsers({ cursor, limit: 5 });
      seen.push(...page.users.map((u) => u.email));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(new Set(seen).size).toBe(24);
    expect(seen).toHaveLength(24);
    // A forged cursor is no cursor: the first page.
    expect((await ctx.auth.listUsers({ cursor: "not-a-cursor", limit: 5 })).users[0].email).toBe(seen[0]);
  });

  it("says whether two-step is on and when the user last signed in", async () => {
    const ctx = await withAdmin();
    const user = await addUser(ctx, "ts@example.com");
    expect((await ctx.auth.findUser({ id: user.id }))!.lastSignInAt).toBeNull();
    const session = await signedIn(ctx, "ts@example.com");
    const setup = await ctx.auth.beginTwoFactorSetup(session.access.claims, META);
    if (!setup.ok) throw new Error(setup.error);
    await ctx.auth.enableTwoFactor(session.access.claims, totpCode(setup.secret, ctx.clock.now()), META);
    const found = (await ctx.auth.findUser({ email: "TS@example.com" }))!;
    expect(found).toMatchObject({ twoFactor: true, lastSignInAt: session.sessionStartedAt });
  });
});

describe("roles, disabling, and the last administrator", () => {
  it("a new role: the access tokens carrying the old one stop at once; the next refresh carries the new", async () => {
    const ctx = await withAdmin();
    await addUser(ctx, "promote@example.com");
    const session = await signedIn(ctx, "promote@example.com");
    const changed = await ctx.auth.setRole({ email: "promote@example.com" }, "admin", ctx.admin, META);
    expect(changed.ok && changed.user.role).toBe("admin");
    expect((await ctx.auth.authenticate(session.access.token)).ok).toBe(false);
    const renewed = await ctx.auth.refresh(session.refresh.token, META);
    expect(renewed.ok && renewed.access.claims.role).toBe("admin");
    const [event] = (await ctx.store.userEvents(session.user.id, 10)).filter((e) => e.type === "role_changed");
    expect(JSON.parse(event.detail)).toEqual({ by: ctx.root.id, from: "user", to: "admin" });
  });

  it("disabled: every session ends at once; the right password hears account_disabled, a wrong one the usual answer; enabled again: signs in", async () => {
    const ctx = await withAdmin();
    await addUser(ctx, "off@example.com");
    const laptop = await signedIn(ctx, "off@example.com");
    const phone = await signedIn(ctx, "off@example.com");
    const disabled = await ctx.auth.setDisabled({ email: "off@example.com" }, true, ctx.admin, META);
    expect(disabled.ok && disabled.user.disabled).toBe(true);
    for (const s of [laptop, phone]) {
      expect((await ctx.auth.authenticate(s.access.token)).ok).toBe(false);
      expect((await ctx.auth.refresh(s.refresh.token, META)).ok).toBe(false);
    }
    expect(await ctx.auth.login({ email: "off@example.com", password: PASSWORD }, META)).toMatchObject({
      ok: false,
      error: "account_disabled",
    });
    expect(await ctx.auth.login({ email: "off@example.com", password: "wrong password!" }, META)).toMatchObject({
      ok: false,
      error: "invalid_credentials",
    });
    expect((await ctx.auth.setDisabled({ email: "off@example.com" }, false, ctx.admin, META)).ok).toBe(true);
    await signedIn(ctx, "off@example.com");
    const types = (await ctx.store.userEvents(laptop.user.id, 20)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["account_disabled", "account_enabled"]));
  });

  it("the last enabled administrator can be neither demoted nor disabled, by anyone; with a second one, either can", async () => {
    const ctx = await withAdmin();
    expect(await ctx.auth.setRole({ id: ctx.root.id }, "user", ctx.admin, META)).toEqual({
      ok: false,
      error: "last_admin",
    });
    expect(await ctx.auth.setDisabled({ id: ctx.root.id }, true, CLI, META)).toEqual({
      ok: false,
      error: "last_admin",
    });
    const second = await addUser(ctx, "second@example.com", { role: "admin" });
    // A disabled administrator does not count.
    expect((await ctx.auth.setDisabled({ id: second.id }, true, ctx.admin, META)).ok).toBe(true);
    expect(await ctx.auth.setRole({ id: ctx.root.id }, "user", ctx.admin, META)).toEqual({
      ok: false,
      error: "last_admin",
    });
    expect((await ctx.auth.setDisabled({ id: second.id }, false, ctx.admin, META)).ok).toBe(true);
    expect((await ctx.auth.setRole({ id: ctx.root.id }, "user", ctx.admin, META)).ok).toBe(true);
    expect((await ctx.auth.findUser({ id: second.id }))!.role).toBe("admin");
  });

  it("two administrators demoting each other at once: exactly one wins, one administrator is left", async () => {
    for (let round = 0; round < 10; round++) {
      const ctx = await withAdmin();
      const second = await addUser(ctx, "rival@example.com", { role: "admin" });
      // Connections open and idle first (PostgreSQL), so both transactions really run at once.
      await Promise.all(Array.from({ length: 4 }, () => ctx.auth.listUsers({})));
      const results = await Promise.all([
        ctx.auth.setRole({ id: ctx.root.id }, "user", { kind: "admin", userId: second.id }, META),
        ctx.auth.setRole({ id: second.id }, "user", ctx.admin, META),
      ]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, error: "last_admin" }]);
      const admins = (await ctx.auth.listUsers({})).users.filter((u) => u.role === "admin");
      expect(admins).toHaveLength(1);
      await ctx.storage.close();
    }
  });

  it("ending one session of a user (the admin's user page) stops its access token at once", async () => {
    const ctx = await withAdmin();
    await addUser(ctx, "one@example.com");
    const a = await signedIn(ctx, "one@example.com");
    const b = await signedIn(ctx, "one@example.com");
    expect((await ctx.auth.endSessionOf(a.user.id, a.access.claims.sid, ctx.admin, META)).ok).toBe(true);
    expect((await ctx.auth.authenticate(a.access.token)).ok).toBe(false);
    expect((await ctx.auth.authenticate(b.access.token)).ok).toBe(true);
    // Another user's session id under this user is not found.
    expect(await ctx.auth.endSessionOf(ctx.root.id, b.access.claims.sid, ctx.admin, META)).toEqual({
      ok: false,
      error: "not_found",
    });
    const detail = await ctx.auth.userDetail(a.user.id);
    expect(detail.ok && detail.sessions.map((s) => s.id)).toEqual([b.access.claims.sid]);
  });
});

describe("a person's own data", () => {
  it("the export holds the account, two-step, sessions and events, and no hash, secret or token; it is audited", async () => {
    const ctx = await withAdmin();
    await addUser(ctx, "mine@example.com", { name: "Mine" });
    const session = await signedIn(ctx, "mine@example.com");
    const setup = await ctx.auth.beginTwoFactorSetup(session.access.claims, META);
    if (!setup.ok) throw new Error(setup.error);
    const enabled = await ctx.auth.enableTwoFactor(
      session.access.claims,
      totpCode(setup.secret, ctx.clock.now()),
      META,
    );
    if (!enabled.ok) throw new Error(enabled.error);
    const exported = await ctx.auth.exportAccount(session.access.claims, META);
    if (!exported.ok) throw new Error();
    const { data } = exported;
    expect(data.account).toMatchObject({ email: "mine@example.com", name: "Mine", role: "user", hasPassword: true });
    expect(data.twoFactor).toEqual({ enabled: true, recoveryCodesLeft: 10 });
    expect(data.sessions.map((s) => s.id)).toEqual([session.access.claims.sid]);
    expect(data.securityEvents.map((e) => e.type)).toEqual(
      expect.arrayContaining(["user_created", "sign_in", "two_factor_enabled"]),
    );
    const json = JSON.stringify(data);
    const [user] = await ctx.db.rows("users", { where: { email: "mine@example.com" } });
    const [twoFactor] = await ctx.db.rows("two_factor", { where: { user_id: user.id } });
    const codes = await ctx.db.rows("recovery_codes", { where: { user_id: user.id } });
    for (const secret of [
      user.password_hash,
      twoFactor.secret,
      setup.secret,
      ...codes.map((c) => c.code_hash),
      ...enabled.recoveryCodes,
      session.refresh.token,
      session.access.token,
    ])
      expect(json).not.toContain(String(secret));
    expect(json).not.toMatch(/tokenVersion|passwordHash|passkeyUserId/);
    expect((await ctx.store.userEvents(user.id as string, 5)).map((e) => e.type)).toContain("data_exported");
  });

  it("delete: a recent sign-in and the address typed; every session ends; nothing of it is left but the audit trail without the address; the address can register anew; a notice is mailed", async () => {
    const ctx = await withAdmin();
    const email = "leaving@example.com";
    await addUser(ctx, email);
    const session = await signedIn(ctx, email);
    const other = await signedIn(ctx, email);
    expect(await ctx.auth.deleteAccount(session.access.claims, "someone@example.com", META)).toEqual({
      ok: false,
      error: "confirmation_mismatch",
    });
    ctx.clock.advance(10 * MINUTE + 1000);
    expect(await ctx.auth.deleteAccount(session.access.claims, email, META)).toEqual({
      ok: false,
      error: "reauthentication_required",
    });
    const fresh = await signedIn(ctx, email);
    expect(await ctx.auth.deleteAccount(fresh.access.claims, " Leaving@Example.com ", META)).toEqual({ ok: true });
    for (const s of [session, other, fresh]) {
      expect((await ctx.auth.authenticate(s.access.token)).ok).toBe(false);
      expect((await ctx.auth.refresh(s.refresh.token, META)).ok).toBe(false);
    }
    const notice = (await ctx.mailer.sent()).filter((m) => m.to === email).at(-1)!;
    expect(notice.kind).toBe("account_deleted");
    // The only rows left that name the account are audit events, and none holds the address.
    expect(await ctx.db.rowsContaining(email)).toEqual([]);
    const byId = await ctx.db.rowsContaining(session.user.id);
    expect(byId.length).toBeGreaterThan(0);
    expect(byId.every((line) => line.startsWith("auth_events: "))).toBe(true);
    expect((await ctx.store.userEvents(session.user.id, 50)).map((e) => e.type)).toContain("account_deleted");
    // The address is free: a new account, a new id.
    const again = await ctx.auth.register({ email, password: "another good password" }, META);
    expect(again.ok && "user" in again && again.user.id).not.toBe(session.user.id);
  });

  it("the last administrator cannot delete their account", async () => {
    const ctx = await withAdmin();
    const session = await signedIn(ctx, "root@example.com");
    expect(await ctx.auth.deleteAccount(session.access.claims, "root@example.com", META)).toEqual({
      ok: false,
      error: "last_admin",
    });
    expect(await ctx.store.userCount()).toBe(1);
  });
});
