import type { NextRequest } from "next/server";
import { HttpError, reauthenticationRequired, requireUser } from "@/lib/server/http";
import type { Runtime } from "@/lib/server/runtime";

/**
 * The full check (requireUser) plus the role, read from the database by that check (never from
 * the token's claim alone). 401 when not signed in, 403 JSON when signed in without the role.
 * Actions (anything that changes a user) also need a recent authentication: `stepUp`.
 */
export async function requireAdmin(req: NextRequest, rt: Runtime, options: { stepUp?: boolean } = {}) {
  const current = await requireUser(req, rt);
  if (current.user.role !== "admin") throw new HttpError(403, "forbidden", "This needs an administrator account.");
  if (options.stepUp && !rt.auth.recentlyAuthenticated(current.claims)) throw reauthenticationRequired();
  return current;
}
