import { hashPassword } from "@/lib/auth/passwords";
import type { Result } from "@/lib/auth/results";
import type { Role } from "@/lib/auth/roles";
import type { Store, UserRow } from "@/lib/auth/store";

/** The user as clients see it (`GET /api/me`, the session state): never the hash or version. */
export type PublicUser = { id: string; email: string; name: string | null; role: Role; emailVerified: boolean };

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function toPublicUser(u: Pick<UserRow, "id" | "email" | "name" | "role" | "emailVerifiedAt">): PublicUser {
  return { id: u.id, email: u.email, name: u.name, role: u.role, emailVerified: u.emailVerifiedAt !== null };
}

/**
 * Creates an account without a session: the development seed and test set-up (an administrator
 * cannot sign up). Same normalisation and hashing as registration.
 */
export async function provisionUser(
  store: Store,
  input: { email: string; password: string; name: string | null; role: Role; emailVerified?: boolean },
  ids: { id: string; now: number },
): Promise<Result<{ user: PublicUser }, "email_taken">> {
  const user = {
    id: ids.id,
    email: normaliseEmail(input.email),
    name: input.name,
    role: input.role,
    passwordHash: await hashPassword(input.password),
    emailVerifiedAt: input.emailVerified ? ids.now : null,
    createdAt: ids.now,
  };
  const inserted = await store.insertUser(user);
  return inserted.ok ? { ok: true, user: toPublicUser(user) } : inserted;
}
