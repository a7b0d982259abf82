import type { NextRequest } from "next/server";
import { HttpError, requireUser } from "@/lib/server/http";
import type { Runtime } from "@/lib/server/runtime";

/**
 * The full check (requireUser) plus the role, read from the database by that check (never from
 * the token's claim alone). 401 when not signed in, 403 JSON when signed in without the role.
 */
export async function requireAdmin(req: NextRequest, rt: Runtime) {
  const current = await requireUser(req, rt);
  if (current.user.role !== "admin") throw new HttpError(403, "forbidden", "This needs an administrator account.");
  return current;
}
