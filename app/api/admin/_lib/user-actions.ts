import type { Actor } from "@/lib/auth/administration";
import type { AdminUser } from "@/lib/auth/administration";
import type { Result } from "@/lib/auth/results";
import { errorJson, json } from "@/lib/server/http";

/** The acting administrator, as the audit trail records them. */
export const adminActor = (userId: string): Actor => ({ kind: "admin", userId });

/** A change to a user (role, disabled), as the admin API answers it. */
export function userChangeAnswer(result: Result<{ user: AdminUser }, "not_found" | "last_admin">) {
  if (result.ok) return json({ user: result.user });
  if (result.error === "not_found") return errorJson(404, "not_found", "No such user.");
  return errorJson(409, "last_admin", "This is the last administrator: make another one first.");
}
