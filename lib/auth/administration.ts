import type { AuthContext } from "@/lib/auth/context";
import type { createDevices, DeviceSession } from "@/lib/auth/devices";
import type { RequestMeta } from "@/lib/auth/events";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "@/lib/auth/passwords";
import { fail, type Result } from "@/lib/auth/results";
import type { Role } from "@/lib/auth/roles";
import type { UserCursor, UserListRow, UserRow } from "@/lib/auth/store";
import { normaliseEmail, provisionUser } from "@/lib/auth/users";

/**
 * Who acts on an account: an administrator in the admin area (their id goes into the audit
 * event), or an operator at the command line (`npm run user`, recorded as "cli").
 */
export type Actor = { kind: "admin"; userId: string } | { kind: "cli" };

/** A user as the admin area and `npm run user -- list` show them (never a hash or a secret). */
export type AdminUser = {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  emailVerified: boolean;
  twoFactor: boolean;
  disabled: boolean;
  createdAt: number;
  /** The last sign-in the audit trail remembers (AUDIT_RETENTION); null when none. */
  lastSignInAt: number | null;
};

/** Which account: by id (the admin API) or by address (the command line). */
export type Target = { id: string } | { email: string };

const PAGE_SIZE = 50;
const NO_META: RequestMeta = { ip: null, userAgent: null };

const toAdminUser = (u: UserListRow): AdminUser => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  emailVerified: u.emailVerifiedAt !== null,
  twoFactor: u.twoFactor,
  disabled: u.disabledAt !== null,
  createdAt: u.createdAt,
  lastSignInAt: u.lastSignInAt,
});

/** An opaque page cursor: the last row's (createdAt, id). */
const encodeCursor = (c: UserCursor) => Buffer.from(JSON.stringify([c.createdAt, c.id])).toString("base64url");
function decodeCursor(cursor: string | null): UserCursor | null {
  if (!cursor) return null;
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, "base64url").toString()) as unknown[];
    return typeof createdAt === "number" && typeof id === "string" ? { createdAt, id } : null;
  } catch {
    return null;
  }
}

/**
 * Operating the accounts: make one (the first administrator), list and find them, change a role,
 * disable and enable, end their sessions. Every change is audited with its actor. The last
 * enabled administrator can be neither demoted nor disabled (nor delete their account): the store
 * checks it in the same transaction as the change.
 */
export function createAdministration(ctx: AuthContext, devices: Pick<ReturnType<typeof createDevices>, "listDevices">) {
  const { store, clock, random } = ctx;
  const by = (actor: Actor) => (actor.kind === "cli" ? "cli" : actor.userId);

  async function find(target: Target): Promise<UserRow | undefined> {
    return "id" in target ? store.userById(target.id) : store.userByEmail(normaliseEmail(target.email));
  }

  /** One user as the list shows them; undefined when there is no such user. */
  async function adminUserOf(userId: string): Promise<AdminUser | undefined> {
    const [row] = await store.listUsers({ query: null, after: null, limit: 1, userId });
    return row && toAdminUser(row);
  }

  /**
   * A new account made by an operator or an administrator. The password is the given one, or a
   * random one returned once (to be printed once). The address counts as verified: the operator
   * vouches for it (and no link could reach a mistyped one anyway).
   */
  async function addUser(
    input: { email: string; name: string | null; role: Role; password: string | null },
    actor: Actor,
    meta: RequestMeta = NO_META,
  ): Promise<Result<{ user: AdminUser; generatedPassword: string | null }, "email_taken" | "invalid_password">> {
    const password = input.password ?? Buffer.from(random.bytes(18)).toString("base64url");
    if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) return fail("invalid_password");
    const now = clock.now();
    const created = await provisionUser(
      store,
      { email: input.email, name: input.name, role: input.role, password, emailVerified: true },
      { id: random.uuid(), now },
    );
    if (!created.ok) return created;
    await ctx.record("user_created", meta, { userId: created.user.id }, { by: by(actor), role: input.role }, now);
    const user = (await adminUserOf(created.user.id))!;
    return { ok: true, user, generatedPassword: input.password ? null : password };
  }

  async function listUsers(options: { query?: string | null; cursor?: string | null; limit?: number }) {
    const limit = Math.min(Math.max(options.limit ?? PAGE_SIZE, 1), 200);
    const query = options.query?.trim() || null;
    // One more than asked tells whether another page exists.
    const rows = await store.listUsers({ query, after: decodeCursor(options.cursor ?? null), limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      users: page.map(toAdminUser),
      nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
    };
  }

  async function userDetail(id: string): Promise<Result<{ user: AdminUser; sessions: DeviceSession[] }, "not_found">> {
    const user = await adminUserOf(id);
    if (!user) return fail("not_found");
    return { ok: true, user, sessions: await devices.listDevices(id, "") };
  }

  async function update(
    target: Target,
    change: { role: Role } | { disabledAt: number | null },
    actor: Actor,
    meta: RequestMeta,
  ): Promise<Result<{ user: AdminUser }, "not_found" | "last_admin">> {
    const user = await find(target);
    if (!user) return fail("not_found");
    const now = clock.now();
    const event =
      "role" in change
        ? ctx.event("role_changed", meta, { userId: user.id }, { by: by(actor), from: user.role, to: change.role }, now)
        : ctx.event(
            change.disabledAt === null ? "account_enabled" : "account_disabled",
            meta,
            { userId: user.id },
            { by: by(actor) },
            now,
          );
    const outcome = await store.updateAccount({ userId: user.id, change, now, event });
    if (outcome !== "updated") return fail(outcome);
    if ("disabledAt" in change && change.disabledAt !== null)
      ctx.alert("account_disabled", { userId: user.id, by: by(actor) });
    return { ok: true, user: (await adminUserOf(user.id))! };
  }

  /** Ends one session of the user (the admin's user page); its access tokens stop at once. */
  async function endSessionOf(
    userId: string,
    familyId: string,
    actor: Actor,
    meta: RequestMeta,
  ): Promise<Result<object, "not_found">> {
    const now = clock.now();
    const event = ctx.event("session_ended", meta, { userId, familyId }, { by: by(actor) }, now);
    return (await store.endFamily({ familyId, userId, now, reason: "admin", event }))
      ? { ok: true }
      : fail("not_found");
  }

  return {
    endSessionOf,
    addUser,
    listUsers,
    userDetail,
    findUser: async (target: Target) => {
      const user = await find(target);
      return (user && (await adminUserOf(user.id))) ?? null;
    },
    /** A new role; its access tokens stop at once (the next refresh carries the new role). */
    setRole: (target: Target, role: Role, actor: Actor, meta: RequestMeta = NO_META) =>
      update(target, { role }, actor, meta),
    /** Disabled: every session ends now and no sign-in works; enabled again: sign-in works again. */
    setDisabled: (target: Target, disabled: boolean, actor: Actor, meta: RequestMeta = NO_META) =>
      update(target, { disabledAt: disabled ? clock.now() : null }, actor, meta),
  };
}
