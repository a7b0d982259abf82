import { BROWSER, type AuthContext, type Client } from "@/lib/auth/context";
import type { RequestMeta } from "@/lib/auth/events";
import { hashPassword, verifyAgainstDummy, verifyPassword } from "@/lib/auth/passwords";
import { fail, type Failure, type Result } from "@/lib/auth/results";
import type { Role } from "@/lib/auth/roles";
import type { NewUser, Registration, UserRow } from "@/lib/auth/store";
import { normaliseEmail } from "@/lib/auth/users";
import type { Recovery } from "@/lib/auth/recovery";
import type { NewSession, Pipeline, SignInOutcome } from "@/lib/auth/pipeline";

/** A sign-in answered: a session, or why not (two-step on: what the second step needs). */
export type SignInResult = SignInOutcome | Failure<"invalid_credentials">;

/** What registration answers when EMAIL_VERIFICATION=required: no session until the link is used. */
export type VerificationRequired = { ok: true; verificationRequired: true };

/** Registration and sign-in: each starts a new family (session). */
export function createSignIn(
  ctx: AuthContext,
  pipeline: Pipeline,
  recovery: Pick<Recovery, "sendVerification" | "sendAccountExistsNotice">,
) {
  const { store, clock, random, config } = ctx;

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
    const created = await store.userById(user.id);
    if (!created) throw new Error("registered user vanished");
    // A new account has no second factor yet: the pipeline starts its first session.
    const started = await pipeline.completeSignIn({ user: created, methods: ["pwd"], meta, event: "register" });
    if (!started.ok) throw new Error("a new account could not start a session");
    if (config.emailVerification === "optional") await recovery.sendVerification(user.id, meta);
    return started;
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

  /** A password sign-in: checked here, then the pipeline decides (a session, or the second step). */
  async function login(
    input: { email: string; password: string },
    meta: RequestMeta,
    client: Client = BROWSER,
  ): Promise<SignInResult> {
    const user = await store.userByEmail(normaliseEmail(input.email));
    // Unknown email: still pay for a hash verify, so timing does not reveal which accounts exist.
    const valid = user
      ? await verifyPassword(user.passwordHash, input.password)
      : await verifyAgainstDummy(input.password);
    // A disabled account is told so only to someone who proved its password (the pipeline says
    // account_disabled); a wrong password gets the answer everyone gets.
    if (!user || !valid) {
      await ctx.record(
        "sign_in_failed",
        meta,
        { userId: user?.id ?? null },
        { reason: user ? "wrong_password" : "unknown_email" },
      );
      return fail("invalid_credentials");
    }
    return pipeline.completeSignIn({ user, methods: ["pwd"], meta, client, detail: { via: "password" } });
  }

  return { register, login };
}
