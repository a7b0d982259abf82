import { BROWSER, type AuthContext, type Client } from "@/lib/auth/context";
import type { RequestMeta } from "@/lib/auth/events";
import { hashPassword, verifyAgainstDummy, verifyPassword } from "@/lib/auth/passwords";
import { fail, type Result } from "@/lib/auth/results";
import type { Role } from "@/lib/auth/roles";
import type { NewUser, Registration, UserRow } from "@/lib/auth/store";
import { normaliseEmail } from "@/lib/auth/users";
import type { Recovery } from "@/lib/auth/recovery";
import type { NewSession, Sessions } from "@/lib/auth/sessions";

export type { NewSession } from "@/lib/auth/sessions";

/** What registration answers when EMAIL_VERIFICATION=required: no session until the link is used. */
export type VerificationRequired = { ok: true; verificationRequired: true };

/** Registration and sign-in: each starts a new family (session). */
export function createSignIn(
  ctx: AuthContext,
  sessions: Sessions,
  recovery: Pick<Recovery, "sendVerification" | "sendAccountExistsNotice">,
) {
  const { store, clock, random, config } = ctx;
  const { startSession } = sessions;

  async function register(
    input: { email: string; password: string; name?: string | null },
    meta: RequestMeta,
    role: Role = "user",
  ): Promise<Result<NewSession, "email_taken"> | VerificationRequired> {
    const email = normaliseEmail(input.email);
    const required = config.emailVerification === "required";
    const existing = await store.userByEmail(email);
    if (existing && !required) return fail("email_taken");
    // Hashed before the lookup's answer matters: a taken and a new address cost the same.
    const registration: Registration = {
      passwordHash: await hashPassword(input.password),
      name: input.name?.trim() || null,
    };
    if (existing) return answerForExistingAddress(existing, registration, meta);
    const user = {
      id: random.uuid(),
      email,
      name: registration.name,
      passwordHash: registration.passwordHash,
      role,
      tokenVersion: 0,
      emailVerifiedAt: null,
      createdAt: clock.now(),
    } satisfies NewUser;
    // Two registrations may race past the check above: the store's unique email decides.
    const inserted = await store.insertUser(user);
    if (!inserted.ok) {
      const winner = required ? await store.userByEmail(email) : undefined;
      return winner ? answerForExistingAddress(winner, registration, meta) : inserted;
    }
    if (required) {
      await ctx.record("register", meta, { userId: user.id }, { verificationRequired: true });
      await recovery.sendVerification(user.id, meta, registration);
      return { ok: true, verificationRequired: true };
    }
    const session = await startSession(user, meta, "register");
    if (config.emailVerification === "optional") await recovery.sendVerification(user.id, meta);
    return { ok: true, ...session };
  }

  /**
   * EMAIL_VERIFICATION=required: a taken address gets the same answer as a new one, after the same
   * work. If its owner never confirmed it, this registration gets a verification link of its own
   * that carries its password: whoever can read the mailbox and knows that password completes it
   * (and no earlier registration's password survives). If the address is confirmed, its owner is
   * mailed a notice instead. Both mails obey the address's mail budget, silently.
   */
  async function answerForExistingAddress(
    owner: UserRow,
    registration: Registration,
    meta: RequestMeta,
  ): Promise<VerificationRequired> {
    if (owner.emailVerifiedAt === null) await recovery.sendVerification(owner.id, meta, registration);
    else await recovery.sendAccountExistsNotice(owner, meta);
    return { ok: true, verificationRequired: true };
  }

  async function login(
    input: { email: string; password: string },
    meta: RequestMeta,
    client: Client = BROWSER,
  ): Promise<Result<NewSession, "invalid_credentials" | "email_unverified">> {
    const user = await store.userByEmail(normaliseEmail(input.email));
    // Unknown email: still pay for a hash verify, so timing does not reveal which accounts exist.
    const valid = user
      ? await verifyPassword(user.passwordHash, input.password)
      : await verifyAgainstDummy(input.password);
    if (!user || !valid || user.disabledAt !== null) {
      await ctx.record(
        "sign_in_failed",
        meta,
        { userId: user?.id ?? null },
        { reason: user ? "wrong_password" : "unknown_email" },
      );
      return fail("invalid_credentials");
    }
    // Only told to someone who knows the password: it reveals nothing to a guesser.
    if (config.emailVerification === "required" && user.emailVerifiedAt === null) {
      await ctx.record("sign_in_failed", meta, { userId: user.id }, { reason: "email_unverified" });
      return fail("email_unverified");
    }
    return { ok: true, ...(await startSession(user, meta, "sign_in", client)) };
  }

  return { register, login };
}
